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
    add_test(NAME cli_version_takes_no_arguments
             COMMAND sh -c "out=$(\"$0\" --version extra 2>&1); rc=$?; echo \"$out\"; [ $rc -eq 2 ] && echo \"$out\" | grep -q 'takes no arguments'" ${IG_CLI})
    add_test(NAME cli_decompile_empty_output
             COMMAND sh -c "out=$(\"$0\" decompile some.bin -o '' 2>&1); rc=$?; echo \"$out\"; [ $rc -eq 2 ] && echo \"$out\" | grep -q 'needs a directory name'" ${IG_CLI})
    # A corrupt exceptions file is bad input (1) for dump and replay alike; the directory message comes once.
    add_test(NAME cli_corrupt_file_same_status
             COMMAND sh -c [=[
d=$(mktemp -d) || exit 1
trap 'rm -rf "$d"' EXIT
printf 'EXNA\002\000\002\000' > "$d/bad.bin"
printf '{"type":"header","format":"introguard-trace","version":1,"guest":{}}\n' > "$d/t.jsonl"
"$0" dump "$d/bad.bin" >/dev/null 2>&1; a=$?
"$0" replay "$d/t.jsonl" -e "$d/bad.bin" >/dev/null 2>&1; b=$?
[ $a -eq 1 ] && [ $b -eq 1 ] || { echo "dump $a, replay $b"; exit 1; }
mkdir "$d/out" && : > "$d/out/x" && : > "$d/out/y"
n=$("$0" decompile "$1" -o "$d/out" 2>&1 | grep -c 'not empty')
[ "$n" = 1 ] || { echo "said $n times"; exit 1; }
]=] ${IG_CLI} ${CMAKE_CURRENT_BINARY_DIR}/replay-rules.bin)
    set_tests_properties(cli_corrupt_file_same_status PROPERTIES FIXTURES_REQUIRED replay_rules)
    add_test(NAME cli_decompile_needs_output
             COMMAND sh -c "out=$(\"$0\" decompile some.bin 2>&1); rc=$?; echo \"$out\"; [ $rc -eq 2 ] && echo \"$out\" | grep -q 'missing -o DIR'" ${IG_CLI})
endif()
