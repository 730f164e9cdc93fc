# A quick run of bench_pipeline keeps it working: every event's action and status is checked and
# an unexpected one (or vCPUs left paused) fails it.
if(INTROGUARD_BUILD_BENCH AND EXISTS ${PROJECT_SOURCE_DIR}/bench/bench_pipeline.c AND
   EXISTS ${PROJECT_SOURCE_DIR}/bench/CMakeLists.txt)
    add_test(NAME bench_pipeline_smoke COMMAND $<TARGET_FILE:bench_pipeline> --reps 1 --events 20)
endif()
