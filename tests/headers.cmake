# The public headers as an integrator meets them, outside any target (issue 12, item 10):
#  * header_<name>: each header alone, as strict C11 and C++17 with gcc and clang (and the default
#    compilers), plain, with INTROCORE_NOCOMPAT after the integrator's own BYTE/DWORD/TRUE..., and
#    under an outer #pragma pack(1) (tests/headers/check_header.sh);
#  * header_pack_layout: every public type has the same size and alignment under pack(1);
#  * header_alerts_*: intro_alerts.h under pack(1) with its layout asserts (tests/headers/alerts_standalone.c);
#  * header_must_check_*: warn_unused_result is on by default and INTROGUARD_MUST_CHECK= silences it.
set(INTROGUARD_HEADER_DIR ${CMAKE_CURRENT_SOURCE_DIR}/headers)
set(INTROGUARD_HEADER_FLAGS -fsyntax-only -Wall -Wextra -Wpedantic -Werror -I${PROJECT_SOURCE_DIR}/include)
find_program(INTROGUARD_CXX NAMES c++ g++ clang++)

set(INTROGUARD_HEADER_CCS "${CMAKE_C_COMPILER} gcc clang")
set(INTROGUARD_HEADER_CXXS "g++ clang++")
if(INTROGUARD_CXX)
    set(INTROGUARD_HEADER_CXXS "${INTROGUARD_CXX} g++ clang++")
endif()

file(GLOB INTROGUARD_PUBLIC_HEADERS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/introguard/*.h)
foreach(header ${INTROGUARD_PUBLIC_HEADERS})
    get_filename_component(name ${header} NAME_WE)
    add_test(NAME header_${name}
             COMMAND sh ${INTROGUARD_HEADER_DIR}/check_header.sh ${PROJECT_SOURCE_DIR}/include ${name}.h
                     ${INTROGUARD_HEADER_CCS} ${INTROGUARD_HEADER_CXXS})
    set_tests_properties(header_${name} PROPERTIES SKIP_RETURN_CODE 77)
endforeach()

add_test(NAME header_pack_layout
         COMMAND sh ${INTROGUARD_HEADER_DIR}/check_pack.sh ${CMAKE_C_COMPILER} ${PROJECT_SOURCE_DIR}/include)

add_test(NAME header_alerts_c11
         COMMAND ${CMAKE_C_COMPILER} -x c -std=c11 ${INTROGUARD_HEADER_FLAGS} ${INTROGUARD_HEADER_DIR}/alerts_standalone.c)
if(INTROGUARD_CXX)
    add_test(NAME header_alerts_cxx17
             COMMAND ${INTROGUARD_CXX} -x c++ -std=c++17 ${INTROGUARD_HEADER_FLAGS}
                     ${INTROGUARD_HEADER_DIR}/alerts_standalone.c)
else()
    add_test(NAME header_alerts_cxx17 COMMAND sh -c "echo 'SKIP: no C++ compiler (c++, g++, clang++) found'; exit 77")
    set_tests_properties(header_alerts_cxx17 PROPERTIES SKIP_RETURN_CODE 77)
endif()

# Ignoring a must-check status warns (an error under -Werror), even through a cast to void in gcc ...
# unless the integrator defines the macro empty, as it may for teardown paths.  Compiled to an object:
# gcc checks unused results after parsing, so -fsyntax-only would not see them.
set(INTROGUARD_MUST_CHECK_FLAGS -c -o ${CMAKE_CURRENT_BINARY_DIR}/must_check.o -Wall -Wextra -Werror
    -I${PROJECT_SOURCE_DIR}/include)
add_test(NAME header_must_check_on
         COMMAND sh -c "if \"$0\" \"$@\" 2>&1; then echo 'FAIL: an ignored status compiled'; exit 1; fi | grep -q 'unused-result' && echo 'ignored status refused (unused-result)'"
                 ${CMAKE_C_COMPILER} -x c -std=c11 ${INTROGUARD_MUST_CHECK_FLAGS} ${INTROGUARD_HEADER_DIR}/must_check.c)
add_test(NAME header_must_check_silenced
         COMMAND ${CMAKE_C_COMPILER} -x c -std=c11 ${INTROGUARD_MUST_CHECK_FLAGS} -DINTROGUARD_MUST_CHECK=
                 ${INTROGUARD_HEADER_DIR}/must_check.c)
set_tests_properties(header_must_check_on header_must_check_silenced PROPERTIES RUN_SERIAL TRUE) # one object file
