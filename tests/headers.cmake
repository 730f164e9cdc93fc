# Public headers compiled on their own, outside any target: intro_alerts.h as strict C11 and, when a C++
# compiler is installed, as C++17 (integrators write C++ too).  Its static asserts check the layouts.
set(INTROGUARD_ALERTS_STANDALONE ${CMAKE_CURRENT_SOURCE_DIR}/headers/alerts_standalone.c)
set(INTROGUARD_HEADER_FLAGS -fsyntax-only -Wall -Wextra -Wpedantic -Werror -I${PROJECT_SOURCE_DIR}/include)

add_test(NAME header_alerts_c11
         COMMAND ${CMAKE_C_COMPILER} -x c -std=c11 ${INTROGUARD_HEADER_FLAGS} ${INTROGUARD_ALERTS_STANDALONE})

find_program(INTROGUARD_CXX NAMES c++ g++ clang++)
if(INTROGUARD_CXX)
    add_test(NAME header_alerts_cxx17
             COMMAND ${INTROGUARD_CXX} -x c++ -std=c++17 ${INTROGUARD_HEADER_FLAGS} ${INTROGUARD_ALERTS_STANDALONE})
else()
    add_test(NAME header_alerts_cxx17 COMMAND sh -c "echo 'SKIP: no C++ compiler (c++, g++, clang++) found'; exit 77")
    set_tests_properties(header_alerts_cxx17 PROPERTIES SKIP_RETURN_CODE 77)
endif()
