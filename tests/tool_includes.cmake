# The tools use the library's public API only: no file under tools/ may include a header from src/
# (the build does not even put src/ on their include path; this names the offender if one tries).
add_test(NAME tools_public_api_only
    COMMAND sh -c [=[
root=$1
status=0
for f in "$root"/tools/*.c "$root"/tools/*.h; do
    for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
        case "$inc" in
            *src/*) private=1 ;;
            *) if [ -f "$root/src/$inc" ]; then private=1; else private=0; fi ;;
        esac
        if [ "$private" = 1 ]; then
            echo "${f#$root/}: includes the private header \"$inc\" (use include/introguard/)"
            status=1
        fi
    done
done
[ "$status" = 0 ] && echo "tools: no src/ header included"
exit $status
]=] sh ${PROJECT_SOURCE_DIR})
