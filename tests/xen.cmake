# The Xen backend's tests (tests/xen/), when it is built: cmocka suites on the fake Xen
# (tests/xen/fake_xen.c), and one link-level test of the real libraries.
if(TARGET introguard_xenfake)
    file(GLOB INTROGUARD_XEN_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/xen/test_xen_*.c)
    foreach(src ${INTROGUARD_XEN_TESTS})
        introguard_cmocka_test(${src} introguard_xenfake)
    endforeach()
    # The default ops table must route to the real libraries: wrap two of their entry points.
    if(TARGET test_xen_link)
        target_link_options(test_xen_link PRIVATE "LINKER:--wrap=xc_interface_open"
                                                  "LINKER:--wrap=xenforeignmemory_open")
    endif()
endif()

# The example daemon: it reads its inputs (--check) and, with the real libraries and no Xen, fails
# attaching with words that say why.
if(TARGET introguard-xend AND TARGET make_replay_rules)
    set(XEND_GUEST ${PROJECT_SOURCE_DIR}/examples/xen-daemon/guest-example.json)
    add_test(NAME xend_check COMMAND introguard-xend --check --guest ${XEND_GUEST}
                                     --exceptions ${INTROGUARD_REPLAY_RULES})
    set_tests_properties(xend_check PROPERTIES FIXTURES_REQUIRED replay_rules
                         PASS_REGULAR_EXPRESSION "guest: windows, 1 processes, 2 modules, 5 zones; exceptions: [0-9]+ bytes, accepted")
    add_test(NAME xend_bad_guest COMMAND introguard-xend --check --guest ${CMAKE_CURRENT_SOURCE_DIR}/xen/bad-guest.json
                                         --exceptions ${INTROGUARD_REPLAY_RULES})
    set_tests_properties(xend_bad_guest PROPERTIES FIXTURES_REQUIRED replay_rules
                         PASS_REGULAR_EXPRESSION "bad-guest.json: zones\\[0\\]: unknown object type \"no-such-object\"")
    add_test(NAME xend_bad_exceptions COMMAND introguard-xend --check --guest ${XEND_GUEST}
                                              --exceptions ${XEND_GUEST})
    set_tests_properties(xend_bad_exceptions PROPERTIES PASS_REGULAR_EXPRESSION "guest-example.json: refused at byte")
    if(NOT EXISTS /dev/xen/privcmd)
        add_test(NAME xend_without_xen COMMAND introguard-xend --domain guest --guest ${XEND_GUEST}
                                               --exceptions ${INTROGUARD_REPLAY_RULES})
        set_tests_properties(xend_without_xen PROPERTIES FIXTURES_REQUIRED replay_rules
                             PASS_REGULAR_EXPRESSION "this is not a Xen dom0")
    endif()
endif()

# The seam holds: no object but the default ops table names a Xen symbol (per object: the internal archive).
if(TARGET introguard_xen_internal)
    add_test(NAME xen_symbols_behind_ops COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/xen/check_symbols.sh
                                                 $<TARGET_FILE:introguard_xen_internal>)
    set_tests_properties(xen_symbols_behind_ops PROPERTIES PASS_REGULAR_EXPRESSION "^ok: ")
endif()
