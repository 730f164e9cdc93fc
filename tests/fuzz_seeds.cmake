# Every libFuzzer target runs over its committed seeds in every build (fuzz/replay_seeds.c is the
# driver, no libFuzzer needed): the seeds that found bugs keep guarding against them, under the
# sanitizers in the sanitizer build.  A target crashes (or its invariant checks abort) on a bad seed.
file(GLOB INTROGUARD_FUZZ_TARGETS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/fuzz/fuzz_*.c)
if(TARGET introguard_tools AND NOT INTROGUARD_FUZZ)
    foreach(src ${INTROGUARD_FUZZ_TARGETS})
        get_filename_component(name ${src} NAME_WE)
        string(REPLACE "fuzz_" "" seeds ${name})
        if(NOT IS_DIRECTORY ${PROJECT_SOURCE_DIR}/fuzz/seeds/${seeds})
            continue()
        endif()
        add_executable(seeds_${name} ${src} ${PROJECT_SOURCE_DIR}/fuzz/replay_seeds.c)
        target_include_directories(seeds_${name} PRIVATE ${PROJECT_SOURCE_DIR}/src)
        target_link_libraries(seeds_${name} PRIVATE introguard_tools)
        add_test(NAME fuzz_seeds_${seeds} COMMAND seeds_${name} ${PROJECT_SOURCE_DIR}/fuzz/seeds/${seeds})
    endforeach()
endif()
