# A quick run of bench_eval keeps it working: it checks every case's verdict before timing it
# and exits non-zero on an unexpected one.  (bench/ is configured after tests/, hence the
# generator expression instead of if(TARGET).)
if(INTROGUARD_BUILD_BENCH AND EXISTS ${PROJECT_SOURCE_DIR}/bench/bench_eval.c AND
   EXISTS ${PROJECT_SOURCE_DIR}/bench/CMakeLists.txt)
    add_test(NAME bench_eval_smoke COMMAND $<TARGET_FILE:bench_eval> --reps 3 --batch 10)
endif()
