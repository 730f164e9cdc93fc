# Replays of the example traces (examples/traces/*.jsonl) with `introguard replay --check`,
# against an exceptions file generated at test time by tests/fixtures/make_replay_rules.c.
if(TARGET introguard_cli AND TARGET introguard_testsupport)
    add_executable(make_replay_rules ${CMAKE_CURRENT_SOURCE_DIR}/fixtures/make_replay_rules.c)
    target_include_directories(make_replay_rules PRIVATE ${PROJECT_SOURCE_DIR}/src ${CMAKE_CURRENT_SOURCE_DIR}/support)
    target_link_libraries(make_replay_rules PRIVATE introguard_testsupport)

    set(INTROGUARD_REPLAY_RULES ${CMAKE_CURRENT_BINARY_DIR}/replay-rules.bin)
    add_test(NAME replay_rules_generate COMMAND make_replay_rules ${INTROGUARD_REPLAY_RULES})
    set_tests_properties(replay_rules_generate PROPERTIES FIXTURES_SETUP replay_rules)

    file(GLOB INTROGUARD_EXAMPLE_TRACES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/examples/traces/*.jsonl)
    foreach(trace ${INTROGUARD_EXAMPLE_TRACES})
        get_filename_component(name ${trace} NAME_WE)
        add_test(NAME replay_${name} COMMAND introguard_cli replay ${trace} -e ${INTROGUARD_REPLAY_RULES} --check)
        set_tests_properties(replay_${name} PROPERTIES FIXTURES_REQUIRED replay_rules)
        add_test(NAME replay_${name}_jsonl
                 COMMAND introguard_cli replay ${trace} -e ${INTROGUARD_REPLAY_RULES} --check --format jsonl)
        set_tests_properties(replay_${name}_jsonl PROPERTIES FIXTURES_REQUIRED replay_rules
                             PASS_REGULAR_EXPRESSION "\"type\":\"summary\".*\"failed\":0")
    endforeach()

    # A failed expectation exits 1 under --check; a malformed line exits 2 naming line and field.
    add_test(NAME replay_failed_expectation
             COMMAND introguard_cli replay ${CMAKE_CURRENT_SOURCE_DIR}/traces/failed-expectation.jsonl
                     -e ${INTROGUARD_REPLAY_RULES} --check)
    set_tests_properties(replay_failed_expectation PROPERTIES FIXTURES_REQUIRED replay_rules WILL_FAIL TRUE)
    add_test(NAME replay_bad_field
             COMMAND introguard_cli replay ${CMAKE_CURRENT_SOURCE_DIR}/traces/bad-zone.jsonl
                     -e ${INTROGUARD_REPLAY_RULES})
    set_tests_properties(replay_bad_field PROPERTIES FIXTURES_REQUIRED replay_rules
                         PASS_REGULAR_EXPRESSION "bad-zone.jsonl:3: field 'victim.zone': unknown zone \"epd\"")
endif()

# A memory image must be a regular file: a directory is refused (exit 1), not read as an empty image.
if(TARGET introguard_cli)
    add_test(NAME replay_memory_not_a_file
             COMMAND sh -c "out=$(\"$0\" replay \"$1\" --memory \"$2\" 2>&1); rc=$?; echo \"$out\"; [ $rc -eq 1 ] && echo \"$out\" | grep -q 'must be a regular file'"
                     $<TARGET_FILE:introguard_cli> ${PROJECT_SOURCE_DIR}/examples/demo-trace.jsonl ${CMAKE_CURRENT_SOURCE_DIR})
endif()

# Replays against hvmi's published exceptions, when INTROGUARD_HVMI_CORPUS is set at ctest time
# (a visible SKIP otherwise).
if(TARGET introguard_cli)
    file(GLOB INTROGUARD_CORPUS_TRACES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/traces/corpus/*.jsonl)
    foreach(trace ${INTROGUARD_CORPUS_TRACES})
        get_filename_component(name ${trace} NAME_WE)
        add_test(NAME replay_corpus_${name}
                 COMMAND sh -c "if [ -z \"$INTROGUARD_HVMI_CORPUS\" ]; then echo 'SKIP: INTROGUARD_HVMI_CORPUS not set'; exit 77; fi; exec \"$0\" replay \"$1\" -e \"$INTROGUARD_HVMI_CORPUS/exceptions.bin\" --check"
                         $<TARGET_FILE:introguard_cli> ${trace})
        set_tests_properties(replay_corpus_${name} PROPERTIES SKIP_RETURN_CODE 77)
    endforeach()
endif()
