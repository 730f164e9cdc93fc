# `introguard compile`: keep the benchmark working (it checks what it compiled).
if(INTROGUARD_BUILD_BENCH AND EXISTS ${PROJECT_SOURCE_DIR}/bench/bench_compile.c)
    add_test(NAME bench_compile_smoke COMMAND bench_compile --reps 1)
endif()

# The command line on hvmi's corpus: the files of order.txt, then the directory, both give
# exceptions.bin byte for byte.  Skipped (exit 77) when INTROGUARD_HVMI_CORPUS is not set.
if(TARGET introguard_cli)
    add_test(NAME compile_cli_hvmi_corpus
        COMMAND sh -c [=[
if [ -z "$INTROGUARD_HVMI_CORPUS" ]; then echo "SKIP: INTROGUARD_HVMI_CORPUS not set"; exit 77; fi
set -e
cd "$INTROGUARD_HVMI_CORPUS"
"$0" compile -o "$1.files" $(cat order.txt)
cmp "$1.files" exceptions.bin
"$0" compile -o "$1.dir" jsons
cmp "$1.dir" exceptions.bin
echo "compile: order.txt and jsons/ both reproduce exceptions.bin"
]=] $<TARGET_FILE:introguard_cli> ${CMAKE_CURRENT_BINARY_DIR}/compile-corpus.bin)
    set_tests_properties(compile_cli_hvmi_corpus PROPERTIES SKIP_RETURN_CODE 77)
endif()
