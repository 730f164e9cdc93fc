# The analyst's workbench (docs/workbench.md) run as the built binary: the exit statuses CI gates on,
# and each command on the bundled examples.  tests/test_workbench.c checks the answers themselves.
if(TARGET introguard_cli)
    set(IG_CLI $<TARGET_FILE:introguard_cli>)
    set(IG_WB ${CMAKE_CURRENT_SOURCE_DIR}/data/workbench)

    foreach(command coverage impact lint)
        add_test(NAME workbench_${command}_help COMMAND ${IG_CLI} ${command} --help)
        set_tests_properties(workbench_${command}_help PROPERTIES PASS_REGULAR_EXPRESSION "usage: introguard ${command}")
    endforeach()
    add_test(NAME workbench_lint_codes COMMAND ${IG_CLI} lint --codes)
    set_tests_properties(workbench_lint_codes PROPERTIES PASS_REGULAR_EXPRESSION "IG-L001.*IG-L015  error    library-case")

    # impact: 3 when a verdict flips, 0 when none does, 2 for a usage error; lint: 3 on errors, and on
    # warnings only under --werror.
    add_test(NAME workbench_exit_statuses
             COMMAND sh -c [=[
cli=$0; wb=$1
"$cli" impact "$wb/coverage" "$wb/impact-new" "$wb/coverage.jsonl" >/dev/null; a=$?
"$cli" impact "$wb/coverage" "$wb/coverage" "$wb/coverage.jsonl" >/dev/null; b=$?
"$cli" impact "$wb/coverage" "$wb/coverage.jsonl" >/dev/null 2>&1; c=$?
"$cli" lint "$wb/lint" >/dev/null; d=$?
"$cli" lint "$wb/lint-warnings" >/dev/null; e=$?
"$cli" lint "$wb/lint-warnings" --werror >/dev/null; f=$?
"$cli" lint >/dev/null 2>&1; g=$?
"$cli" coverage "$wb/coverage.jsonl" -e "$wb/bad" >/dev/null 2>&1; h=$?
[ "$a$b$c$d$e$f$g$h" = 30230321 ] || { echo "impact $a $b $c, lint $d $e $f $g, coverage $h"; exit 1; }
]=] ${IG_CLI} ${IG_WB})

    # The worked example of docs/workbench.md: the demo trace against examples/exceptions.
    add_test(NAME workbench_example_coverage
             COMMAND ${IG_CLI} coverage ${PROJECT_SOURCE_DIR}/examples/demo-trace.jsonl
                     -e ${PROJECT_SOURCE_DIR}/examples/exceptions)
    set_tests_properties(workbench_example_coverage PROPERTIES
                         PASS_REGULAR_EXPRESSION "never fired: 4 of 6 exceptions \\(records 1, 2, 3, 5\\)")
    add_test(NAME workbench_example_lint COMMAND ${IG_CLI} lint ${PROJECT_SOURCE_DIR}/examples/exceptions
                                                 ${PROJECT_SOURCE_DIR}/examples/scenarios/exceptions)
    set_tests_properties(workbench_example_lint PROPERTIES PASS_REGULAR_EXPRESSION "^0 errors, 0 warnings in 22 records")

    # The scenarios: coverage of both generated traces; an update that lets acmefw.sys through flips one event.
    if(TARGET scenarios)
        set(IG_SCENARIOS ${PROJECT_BINARY_DIR}/examples/scenarios)
        add_test(NAME workbench_scenarios_coverage
                 COMMAND ${IG_CLI} coverage ${IG_SCENARIOS}/windows10-x64.jsonl ${IG_SCENARIOS}/linux-5.10.jsonl
                         -e ${PROJECT_SOURCE_DIR}/examples/scenarios/exceptions)
        set_tests_properties(workbench_scenarios_coverage PROPERTIES
                             PASS_REGULAR_EXPRESSION "never fired: 1 of 9 exceptions \\(record 2\\)")
        add_test(NAME workbench_scenarios_impact
                 COMMAND sh -c [=[
d=$(mktemp -d) || exit 1
trap 'rm -rf "$d"' EXIT
cp -r "$1/examples/scenarios/exceptions" "$d/new"
sed -i 's/"maximum": "18363"/"maximum": "19041"/' "$d/new/windows-signatures.json"
out=$("$0" impact "$1/examples/scenarios/exceptions" "$d/new" "$2/windows10-x64.jsonl" "$2/linux-5.10.jsonl"); rc=$?
echo "$out"
[ $rc -eq 3 ] && echo "$out" | grep -q '^1 verdict changed: 0 allowed -> blocked, 1 blocked -> allowed'
]=] ${IG_CLI} ${PROJECT_SOURCE_DIR} ${IG_SCENARIOS})
    endif()
endif()
