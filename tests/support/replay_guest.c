/*
 * The guest setup the pipeline tests share (see replay_guest.h).
 */
#include "replay_guest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <string.h>

#include <cmocka.h>

INTSTATUS RgQuietLog(const CHAR *File, DWORD Line, const CHAR *Format, ...)
{
    (void)File;
    (void)Line;
    (void)Format;
    return INT_STATUS_SUCCESS;
}

void RgStart(const INTRO_BACKEND *Backend, void *Context, const GUEST_INFO *Info, QWORD SystemCr3, RG_TABLES_EDIT Edit,
             INTRO_GLUE_GUEST **Guest, GLUE_IFACE *Iface)
{
    UPPER_IFACE upper;

    assert_int_equal(IntGlueGuestCreate(Backend, Context, Guest), INT_STATUS_SUCCESS);
    IntGlueFillInterfaces(Iface, &upper);
    upper.TracePrint = RgQuietLog;
    if (Edit != NULL)
    {
        Edit(Iface, &upper);
    }
    assert_int_equal(IntInit(Iface, &upper), INT_STATUS_SUCCESS);
    assert_int_equal(Iface->NewGuestNotification(*Guest, 0, NULL, 0), INT_STATUS_SUCCESS);
    assert_int_equal(IntSetGuestInfo(*Guest, Info), INT_STATUS_SUCCESS);
    if (SystemCr3 != 0)
    {
        assert_int_equal(IntGuestSetSystemCr3(*Guest, SystemCr3), INT_STATUS_SUCCESS);
    }
}

void RgSetVcpu(INTRO_REPLAY *Replay, uint64_t Cr3, uint64_t Rip, uint32_t Ring, uint64_t Rax, uint64_t Rbx,
               uint64_t Rsp)
{
    INTRO_BACKEND_REGS regs;

    memset(&regs, 0, sizeof(regs));
    regs.Arch.Cr0 = 0x80050033; /* PG, WP, PE */
    regs.Arch.Cr4 = 0x370678;   /* PAE, SMEP, SMAP among others */
    regs.Arch.Cr3 = Cr3;
    regs.Arch.Rip = Rip;
    regs.Arch.Rax = Rax;
    regs.Arch.Rbx = Rbx;
    regs.Arch.Rsp = Rsp;
    regs.Arch.Flags = 0x246;
    regs.Efer = 0xD01; /* LMA, LME, SCE, NXE */
    regs.Msrs = INTRO_BACKEND_MSR_EFER;
    /* CS.L set: 64-bit code; the DPL is the ring. */
    regs.Cs.Attributes = (WORD)(0xA9B | (Ring << 5));
    regs.Ss.Attributes = (WORD)(0xC93 | (Ring << 5));
    assert_int_equal(IntReplaySetRegisters(Replay, 0, &regs), INT_STATUS_SUCCESS);
}

void RgMap(INTRO_REPLAY *Replay, uint64_t Cr3, uint64_t Gva, const void *Data, size_t Length)
{
    assert_int_equal(IntReplayMapVirtual(Replay, Cr3, INTRO_REPLAY_PAGING_4LEVEL, Gva, Data, Length),
                     INT_STATUS_SUCCESS);
}

void RgModuleInit(INTRO_GUEST_MODULE *Module, const char *Name, uint64_t Base, uint32_t Flags)
{
    /* Static: the module points at them, and the library copies what it keeps. */
    static const INTRO_GUEST_SECTION sections[] = {
        {".text", 0x1000, 0x1000, INTRO_SECTION_CODE | INTRO_SECTION_EXECUTE},
        {".data", 0x2000, 0x1000, INTRO_SECTION_WRITE},
    };

    memset(Module, 0, sizeof(*Module));
    Module->StructSize = sizeof(*Module);
    Module->Flags = Flags;
    Module->Name = Name;
    Module->NameLength = (DWORD)strlen(Name);
    Module->Base = Base;
    Module->ImageSize = 0x3000;
    Module->Sections = sections;
    Module->SectionCount = 2;
}

void RgAddModule(INTRO_GLUE_GUEST *Guest, uint32_t Pid, const char *Name, uint64_t Base, uint32_t Flags)
{
    INTRO_GUEST_MODULE m;

    RgModuleInit(&m, Name, Base, Flags);
    assert_int_equal(IntGuestAddModule(Guest, Pid, &m), INT_STATUS_SUCCESS);
}

void RgMemoryZone(INTRO_GUEST_ZONE *Zone, uint32_t Object, uint64_t Gva, uint64_t Length, uint32_t Pid, uint64_t Owner,
                  uint32_t Access)
{
    memset(Zone, 0, sizeof(*Zone));
    Zone->StructSize = sizeof(*Zone);
    Zone->Kind = introZoneMemory;
    Zone->ObjectType = Object;
    Zone->Access = Access;
    Zone->Gva = Gva;
    Zone->Length = Length;
    Zone->Pid = Pid;
    Zone->Owner = Owner;
}

void RgRegisterZone(INTRO_GUEST_ZONE *Zone, uint32_t Kind, uint32_t Index)
{
    memset(Zone, 0, sizeof(*Zone));
    Zone->StructSize = sizeof(*Zone);
    Zone->Kind = Kind;
    Zone->Index = Index;
}

QWORD RgProtect(INTRO_GLUE_GUEST *Guest, const INTRO_GUEST_ZONE *Zone)
{
    QWORD id = 0;

    assert_int_equal(IntGuestProtect(Guest, Zone, &id), INT_STATUS_SUCCESS);
    return id;
}
