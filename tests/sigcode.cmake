# Replay of malformed guest memory in a violation record: the error names line and field.
if(TARGET introguard_cli AND TARGET introguard_testsupport AND TARGET make_replay_rules)
    add_test(NAME replay_bad_memory_page
             COMMAND introguard_cli replay ${CMAKE_CURRENT_SOURCE_DIR}/traces/bad-memory-page.jsonl
                     -e ${INTROGUARD_REPLAY_RULES})
    set_tests_properties(replay_bad_memory_page PROPERTIES FIXTURES_REQUIRED replay_rules
                         PASS_REGULAR_EXPRESSION "bad-memory-page.jsonl:3: field 'memory.pages\\[0\\].data': a page is 4096 bytes, not 3")
endif()

# A quick run of the code-block benchmark keeps it working (it fails when an extraction fails).
if(INTROGUARD_BUILD_BENCH AND EXISTS ${PROJECT_SOURCE_DIR}/bench/bench_codeblocks.c)
    add_test(NAME bench_codeblocks_smoke COMMAND bench_codeblocks --reps 2)
endif()
