# Where `introguard compile -o` writes (tools/tool_common.c IgWriteFileAtomic): a device is written
# in place with its errors reported and stays a device, a symbolic link keeps pointing at its file,
# a directory is refused, and a failed write leaves no file behind.
if(TARGET introguard_cli)
    set(IG_CLI $<TARGET_FILE:introguard_cli>)
    set(IG_INPUT ${PROJECT_SOURCE_DIR}/examples/exceptions)

    add_test(NAME output_dev_full
             COMMAND sh -c "[ -c /dev/full ] || { echo 'SKIP: no /dev/full'; exit 77; }; out=$(\"$0\" compile \"$1\" -o /dev/full 2>&1); rc=$?; echo \"$out\"; [ $rc -eq 1 ] && echo \"$out\" | grep -q '/dev/full: write error' && [ -c /dev/full ]" ${IG_CLI} ${IG_INPUT})
    set_tests_properties(output_dev_full PROPERTIES SKIP_RETURN_CODE 77)
    add_test(NAME output_dev_null COMMAND sh -c "\"$0\" compile \"$1\" -o /dev/null && [ -c /dev/null ]" ${IG_CLI} ${IG_INPUT})
    add_test(NAME output_symlink_and_directory
             COMMAND sh -c [=[
d=$(mktemp -d) || exit 1
trap 'rm -rf "$d"' EXIT
cli=$0 input=$1
: > "$d/real.bin" && chmod 640 "$d/real.bin" && ln -s real.bin "$d/link.bin" || exit 1
"$cli" compile "$input" -o "$d/link.bin" || exit 1
[ -L "$d/link.bin" ] && [ -s "$d/real.bin" ] || { echo "the link was replaced or its file not written"; exit 1; }
[ "$(stat -c %a "$d/real.bin")" = 640 ] || { echo "the replaced file lost its mode"; exit 1; }
out=$("$cli" compile "$input" -o "$d" 2>&1); rc=$?
echo "$out"
[ $rc -eq 1 ] && echo "$out" | grep -q 'is a directory' || exit 1
[ -z "$(ls -A "$d" | grep -v -e '^real.bin$' -e '^link.bin$')" ] || { echo "a temporary file was left behind"; exit 1; }
]=] ${IG_CLI} ${IG_INPUT})
endif()

# Inputs with nothing to load, and an empty signature list (pointer arithmetic on an empty pool).
if(TARGET introguard_cli)
    add_test(NAME compile_no_exceptions
             COMMAND sh -c [=[
d=$(mktemp -d) || exit 1
trap 'rm -rf "$d"' EXIT
printf '{"Type":"kernel","Signatures":[]}' > "$d/in.json"
out=$("$0" compile "$d/in.json" -o "$d/out.bin" 2>&1); rc=$?
echo "$out"
[ $rc -eq 1 ] && echo "$out" | grep -q 'hold no exceptions' && [ ! -e "$d/out.bin" ]
]=] ${IG_CLI})
    add_test(NAME compile_empty_signature_list
             COMMAND sh -c [=[
d=$(mktemp -d) || exit 1
trap 'rm -rf "$d"' EXIT
printf '{"Type":"kernel","Exceptions":[{"originator":"a.sys","victim":"b.sys","object_type":"driver","signatures":[]}]}' > "$d/in.json"
"$0" compile "$d/in.json" -o "$d/out.bin" && "$0" dump "$d/out.bin" | grep -q 'signatures      0'
]=] ${IG_CLI})
endif()

# compile --digest writes the output's SHA-256 as sha256sum prints it, and dump shows the same digest.
if(TARGET introguard_cli)
    add_test(NAME compile_digest
             COMMAND sh -c [=[
d=$(mktemp -d) || exit 1
trap 'rm -rf "$d"' EXIT
"$0" compile "$1" -o "$d/rules.bin" --digest "$d/rules.bin.sha256" || exit 1
(cd "$d" && sha256sum -c rules.bin.sha256) || exit 1
hex=$(cut -d' ' -f1 "$d/rules.bin.sha256")
"$0" dump "$d/rules.bin" | head -1 | grep -q "sha256 $hex" || exit 1
"$0" dump --json "$d/rules.bin" | grep -q "\"sha256\":\"$hex\""
]=] ${IG_CLI} ${PROJECT_SOURCE_DIR}/examples/exceptions)
endif()
