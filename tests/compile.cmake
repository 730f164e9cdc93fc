# `introguard compile`: keep the benchmark working (it checks what it compiled).
if(INTROGUARD_BUILD_BENCH AND EXISTS ${PROJECT_SOURCE_DIR}/bench/bench_compile.c)
    add_test(NAME bench_compile_smoke COMMAND bench_compile --reps 1)
endif()
