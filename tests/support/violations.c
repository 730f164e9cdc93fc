/*
 * The violations the engine tests share (see violations.h).
 */
#include "violations.h"

#include <string.h>

#include "exc_builder.h"

void VioNtdllWrite(INTRO_EXC_VIOLATION *V, uint64_t Cr3, uint64_t Rip, uint64_t NtdllBase)
{
    memset(V, 0, sizeof(*V));
    V->Kind = INTRO_EXC_KIND_USER;
    V->Guest.Os = INTRO_EXC_OS_WINDOWS;
    V->Guest.Guest64 = true;
    V->Guest.OsVersion = 19041;
    V->User.Process.Present = true;
    V->User.Process.NameHash = XbNarrow("chrome.exe");
    V->User.Process.Cr3 = Cr3;
    V->User.NameHash = XbWide("evil.dll");
    V->User.Library = true;
    V->User.Rip = Rip;
    V->Victim.ZoneType = INTRO_EXC_ZONE_EPT;
    V->Victim.ZoneFlags = INTRO_EXC_ZONE_WRITE | INTRO_EXC_ZONE_LIB_CODE;
    V->Victim.ObjectType = INTRO_EXC_OBJ_UM_MODULE;
    V->Victim.NameHash = XbWide("ntdll.dll");
    V->Victim.Process = V->User.Process;
    V->Victim.Library = true;
    V->Victim.LibraryNameHash = XbWide("ntdll.dll");
    V->Victim.LibraryBase = NtdllBase;
    V->Victim.u.Ept.Gva = NtdllBase + 0x1004;
    V->Victim.v.WriteInfo.AccessSize = 4;
    V->Victim.v.WriteInfo.NewValue[0] = 0xCCCCCCCC;
    V->Memory.CurrentCr3 = Cr3;
}
