# Runs of the built `introguard` binary: the exit codes and messages of the command-line frame.
if(TARGET introguard_cli)
    set(IG_CLI $<TARGET_FILE:introguard_cli>)

    add_test(NAME cli_help COMMAND ${IG_CLI} --help)
    set_tests_properties(cli_help PROPERTIES PASS_REGULAR_EXPRESSION "usage: introguard COMMAND")

    add_test(NAME cli_dump_help COMMAND ${IG_CLI} dump --help)
    set_tests_properties(cli_dump_help PROPERTIES PASS_REGULAR_EXPRESSION "usage: introguard dump \\[--json\\] FILE")

    # The exit code and the message both matter, so a shell checks them together.
    add_test(NAME cli_unknown_command
             COMMAND sh -c "out=$(\"$0\" frobnicate 2>&1); rc=$?; echo \"$out\"; [ $rc -eq 2 ] && echo \"$out\" | grep -q \"unknown command 'frobnicate'\"" ${IG_CLI})
    add_test(NAME cli_no_arguments COMMAND sh -c "\"$0\" >/dev/null 2>&1; [ $? -eq 2 ]" ${IG_CLI})
    add_test(NAME cli_dump_usage COMMAND sh -c "\"$0\" dump --nope x >/dev/null 2>&1; [ $? -eq 2 ]" ${IG_CLI})
    add_test(NAME cli_dump_missing_file
             COMMAND sh -c "out=$(\"$0\" dump /nonexistent/exceptions.bin 2>&1 >/dev/null); rc=$?; echo \"$out\"; [ $rc -eq 1 ] && [ \"$out\" = 'introguard: /nonexistent/exceptions.bin: cannot open: No such file or directory' ]" ${IG_CLI})
    add_test(NAME cli_decompile_needs_output
             COMMAND sh -c "out=$(\"$0\" decompile some.bin 2>&1); rc=$?; echo \"$out\"; [ $rc -eq 2 ] && echo \"$out\" | grep -q 'missing -o DIR'" ${IG_CLI})
endif()
