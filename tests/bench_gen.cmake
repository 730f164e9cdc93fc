# test_bench_gen checks the exceptions-file generator of bench/support/ (used by the load
# benchmark and the fuzz seeds), so it is built with those sources whether or not bench/ is.
if(TARGET test_bench_gen)
    file(GLOB INTROGUARD_GEN_SOURCES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/bench/support/*.c)
    target_sources(test_bench_gen PRIVATE ${INTROGUARD_GEN_SOURCES})
    target_include_directories(test_bench_gen PRIVATE ${PROJECT_SOURCE_DIR}/bench/support)
endif()
