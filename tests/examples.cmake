# Builds examples/integration.c (a minimal integrator) and runs it as tests.
if(EXISTS ${PROJECT_SOURCE_DIR}/examples/integration.c)
    add_executable(example_integration ${PROJECT_SOURCE_DIR}/examples/integration.c)
    target_link_libraries(example_integration PRIVATE introguard)

    # The file it builds in memory: header + one kernel-mode exception, build number 7.
    add_test(NAME example_integration COMMAND example_integration)
    set_tests_properties(example_integration PROPERTIES PASS_REGULAR_EXPRESSION "^exceptions version 2\\.2 build 7\n$")

    # hvmi's reference file from the corpus, when INTROGUARD_HVMI_CORPUS is set at test time.
    add_test(NAME example_integration_corpus
             COMMAND sh -c "if [ -z \"$INTROGUARD_HVMI_CORPUS\" ]; then echo 'SKIP: INTROGUARD_HVMI_CORPUS not set'; exit 77; fi; exec \"$0\" \"$INTROGUARD_HVMI_CORPUS/exceptions.bin\""
                     $<TARGET_FILE:example_integration>)
    set_tests_properties(example_integration_corpus PROPERTIES SKIP_RETURN_CODE 77
                         PASS_REGULAR_EXPRESSION "exceptions version 2\\.2 build 0|SKIP: INTROGUARD_HVMI_CORPUS not set")
endif()
