# The archive integrators link exports exactly the public API: no internal function or data symbol
# (an integrator's own, or hvmi's, could clash with it), no public function hidden by mistake.
add_test(NAME symbols_public_api_only
         COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/check-symbols.sh $<TARGET_FILE:introguard> ${PROJECT_SOURCE_DIR}/include)
set_tests_properties(symbols_public_api_only PROPERTIES SKIP_RETURN_CODE 77)

# libintroguard-xen.a likewise exports exactly glue_xen.h.
if(TARGET introguard_xen)
    add_test(NAME symbols_xen_public_api_only
             COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/check-symbols.sh $<TARGET_FILE:introguard_xen>
                     ${PROJECT_SOURCE_DIR}/include glue_xen.h)
    set_tests_properties(symbols_xen_public_api_only PROPERTIES SKIP_RETURN_CODE 77)
endif()
