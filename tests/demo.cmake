# The demo of scripts/demo.sh as tests: compile examples/exceptions/ with the CLI, then replay
# examples/demo-trace.jsonl against the result with --check (its `expect` records hold the verdicts).
if(TARGET introguard_cli AND EXISTS ${PROJECT_SOURCE_DIR}/examples/demo-trace.jsonl)
    set(INTROGUARD_DEMO_BIN ${CMAKE_CURRENT_BINARY_DIR}/demo-exceptions.bin)
    add_test(NAME demo_compile COMMAND introguard_cli compile -o ${INTROGUARD_DEMO_BIN}
             ${PROJECT_SOURCE_DIR}/examples/exceptions)
    set_tests_properties(demo_compile PROPERTIES FIXTURES_SETUP demo_exceptions)
    add_test(NAME demo_replay COMMAND introguard_cli replay ${PROJECT_SOURCE_DIR}/examples/demo-trace.jsonl
             -e ${INTROGUARD_DEMO_BIN} --check)
    set_tests_properties(demo_replay PROPERTIES FIXTURES_REQUIRED demo_exceptions
                         PASS_REGULAR_EXPRESSION "5 events: 2 allowed, 3 not allowed; 5 expectations, 0 failed")
endif()
