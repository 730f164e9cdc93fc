# Exceptions from alerts on the command line: the operator's actions in a trace (add_exception,
# remove_exception, flush_exceptions), `introguard alert`, and the two round trips of docs/cli.md
# (tests/alert_roundtrip.sh): alert -> alert --exception -> compile -> replay, and replay --learn.
if(TARGET introguard_cli)
    set(IG_CLI $<TARGET_FILE:introguard_cli>)
    set(IG_ALERT_TRACES ${CMAKE_CURRENT_SOURCE_DIR}/traces)

    add_test(NAME alert_trace_actions COMMAND ${IG_CLI} replay ${IG_ALERT_TRACES}/alert-exceptions.jsonl --check)
    add_test(NAME alert_trace_actions_jsonl
             COMMAND ${IG_CLI} replay ${IG_ALERT_TRACES}/alert-exceptions.jsonl --check --format jsonl)
    set_tests_properties(alert_trace_actions_jsonl PROPERTIES
                         PASS_REGULAR_EXPRESSION "\"action\":\"remove_exception\".*\"failed\":0")
    # The trace's inline rules are tests/traces/alert-rules.json as the compiler writes it.
    add_test(NAME alert_trace_rules_compiled
             COMMAND sh -c "\"$0\" compile \"$1/alert-rules.json\" -o \"$2\" && data=$(base64 -w0 \"$2\") && grep -q \"\\\"data\\\":\\\"$data\\\"\" \"$1/alert-exceptions.jsonl\""
                     ${IG_CLI} ${IG_ALERT_TRACES} ${CMAKE_CURRENT_BINARY_DIR}/alert-rules.bin)
    add_test(NAME alert_trace_bad_from COMMAND ${IG_CLI} replay ${IG_ALERT_TRACES}/alert-bad-from.jsonl)
    set_tests_properties(alert_trace_bad_from PROPERTIES
                         PASS_REGULAR_EXPRESSION "alert-bad-from.jsonl:3: field 'from': event 5 raised no alert")
    add_test(NAME alert_trace_bad_record COMMAND ${IG_CLI} replay ${IG_ALERT_TRACES}/alert-bad-record.jsonl)
    set_tests_properties(alert_trace_bad_record PROPERTIES
                         PASS_REGULAR_EXPRESSION "alert-bad-record.jsonl:2: field 'from': take the alert from an event")

    add_test(NAME alert_roundtrip_analyst
             COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/alert_roundtrip.sh analyst ${IG_CLI} ${PROJECT_SOURCE_DIR}
                     ${CMAKE_CURRENT_BINARY_DIR}/alert-analyst)
    add_test(NAME alert_roundtrip_learn
             COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/alert_roundtrip.sh learn ${IG_CLI} ${PROJECT_SOURCE_DIR}
                     ${CMAKE_CURRENT_BINARY_DIR}/alert-learn)

    add_test(NAME alert_help COMMAND ${IG_CLI} alert --help)
    set_tests_properties(alert_help PROPERTIES PASS_REGULAR_EXPRESSION "usage: introguard alert")
    # A blob does not say which alert it came from; a 9304-byte alert may be MSR, CR or DTR; bad base64.
    add_test(NAME alert_blob_needs_type
             COMMAND sh -c "out=$(head -c 255 /dev/zero | \"$0\" alert - 2>&1); rc=$?; echo \"$out\"; [ $rc -eq 1 ] && echo \"$out\" | grep -q 'an exception blob; say which alert it came from'" ${IG_CLI})
    add_test(NAME alert_register_needs_type
             COMMAND sh -c "out=$(head -c 9304 /dev/zero | \"$0\" alert - 2>&1); rc=$?; echo \"$out\"; [ $rc -eq 1 ] && echo \"$out\" | grep -q 'msr|cr|dtr'" ${IG_CLI})
    add_test(NAME alert_blob_not_valid
             COMMAND sh -c "out=$(head -c 255 /dev/zero | \"$0\" alert --exception --type msr - 2>&1); rc=$?; echo \"$out\"; [ $rc -eq 1 ] && echo \"$out\" | grep -q 'INT_STATUS_INVALID_DATA_STATE, INT_STATUS_EXC_ALERT_NOT_VALID'" ${IG_CLI})
    add_test(NAME alert_bad_json_line
             COMMAND sh -c "out=$(echo '{\"event\":\"msr\",\"blob\":\"A*AA\"}' | \"$0\" alert - 2>&1); rc=$?; echo \"$out\"; [ $rc -eq 1 ] && echo \"$out\" | grep -q 'line 1: field .blob.: invalid or oversized base64 at character 1'" ${IG_CLI})
endif()

# The public header on its own, as strict C11 and C++17 (as tests/headers.cmake does for intro_alerts.h).
set(IG_ALERT_HEADER_FLAGS -fsyntax-only -Wall -Wextra -Wpedantic -Werror -I${PROJECT_SOURCE_DIR}/include)
add_test(NAME header_alert_exceptions_c11
         COMMAND ${CMAKE_C_COMPILER} -x c -std=c11 ${IG_ALERT_HEADER_FLAGS}
                 ${CMAKE_CURRENT_SOURCE_DIR}/headers/alert_exceptions_standalone.c)
find_program(IG_ALERT_CXX NAMES c++ g++ clang++)
if(IG_ALERT_CXX)
    add_test(NAME header_alert_exceptions_cxx17
             COMMAND ${IG_ALERT_CXX} -x c++ -std=c++17 ${IG_ALERT_HEADER_FLAGS}
                     ${CMAKE_CURRENT_SOURCE_DIR}/headers/alert_exceptions_standalone.c)
endif()
