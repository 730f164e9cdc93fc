# The Xen backend's tests (tests/xen/), when it is built: cmocka suites on the fake Xen
# (tests/xen/fake_xen.c), and one link-level test of the real libraries.
if(TARGET introguard_xenfake)
    file(GLOB INTROGUARD_XEN_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/xen/test_xen_*.c)
    foreach(src ${INTROGUARD_XEN_TESTS})
        get_filename_component(name ${src} NAME_WE)
        add_executable(${name} ${src})
        target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${CMAKE_CURRENT_SOURCE_DIR}/support)
        target_link_libraries(${name} PRIVATE introguard_xenfake PkgConfig::CMOCKA)
        if(TARGET introguard_testsupport)
            target_link_libraries(${name} PRIVATE introguard_testsupport)
        endif()
        if(TARGET introguard_tools)
            target_link_libraries(${name} PRIVATE introguard_tools)
        endif()
        add_test(NAME ${name} COMMAND ${name})
        set_tests_properties(${name} PROPERTIES ENVIRONMENT "INTROGUARD_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
    endforeach()
    # The default ops table must route to the real libraries: wrap two of their entry points.
    if(TARGET test_xen_link)
        target_link_options(test_xen_link PRIVATE "LINKER:--wrap=xc_interface_open"
                                                  "LINKER:--wrap=xenforeignmemory_open")
    endif()
endif()
