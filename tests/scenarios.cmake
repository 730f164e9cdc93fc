# The example scenarios (examples/scenarios, built by the `scenarios` target of examples/): each
# generated trace replayed against the scenarios' exceptions with --check, so every event's action,
# reason, exception and alert must be what its `expect` record says.
if(TARGET scenarios AND TARGET make_scenarios)
    set(INTROGUARD_SCENARIO_DIR ${PROJECT_BINARY_DIR}/examples/scenarios)
    set(INTROGUARD_SCENARIO_BIN ${INTROGUARD_SCENARIO_DIR}/scenario-exceptions.bin)
    foreach(trace windows10-x64 linux-5.10)
        add_test(NAME scenario_${trace}
                 COMMAND introguard_cli replay ${INTROGUARD_SCENARIO_DIR}/${trace}.jsonl -e ${INTROGUARD_SCENARIO_BIN}
                         --check)
        add_test(NAME scenario_${trace}_jsonl
                 COMMAND introguard_cli replay ${INTROGUARD_SCENARIO_DIR}/${trace}.jsonl -e ${INTROGUARD_SCENARIO_BIN}
                         --check --format jsonl)
        set_tests_properties(scenario_${trace}_jsonl PROPERTIES PASS_REGULAR_EXPRESSION "\"type\":\"summary\".*\"failed\":0")
    endforeach()

    # The generator is deterministic: a second run writes the same bytes (no host address leaks into a trace).
    add_test(NAME scenario_traces_deterministic
             COMMAND sh -c "d=$(mktemp -d) && \"$0\" \"$d\" && cmp \"$d/windows10-x64.jsonl\" \"$1/windows10-x64.jsonl\" && cmp \"$d/linux-5.10.jsonl\" \"$1/linux-5.10.jsonl\"; rc=$?; rm -rf \"$d\"; exit $rc"
                     $<TARGET_FILE:make_scenarios> ${INTROGUARD_SCENARIO_DIR})

    # The guest section is copied to other addresses: it must need no relocation.
    find_program(INTROGUARD_OBJDUMP objdump)
    if(INTROGUARD_OBJDUMP)
        add_test(NAME scenario_guest_code_relocations
                 COMMAND sh -c "out=$(\"$0\" -r -j guest_text \"$1\") || exit 1; if echo \"$out\" | grep -q R_X86_64; then echo \"$out\"; exit 1; fi"
                         ${INTROGUARD_OBJDUMP} $<TARGET_OBJECTS:scenario_guest_code>)
    endif()
endif()
