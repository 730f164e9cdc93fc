#include "pe_image.h"

#include <string.h>

void PePut16(uint8_t *Image, uint32_t Offset, uint16_t Value)
{
    Image[Offset] = (uint8_t)Value;
    Image[Offset + 1] = (uint8_t)(Value >> 8);
}

void PePut32(uint8_t *Image, uint32_t Offset, uint32_t Value)
{
    for (int i = 0; i < 4; i++)
    {
        Image[Offset + i] = (uint8_t)(Value >> (8 * i));
    }
}

void PeImageBuild(uint8_t Image[PE_IMAGE_SIZE], bool Pe64)
{
    static const char *const names[] = {"NtClose", "NtCreateKey", "NtOpenKey", "ZwCreateKey", "LateFn"};
    static const uint16_t ordinals[] = {2, 0, 1, 0, 3};
    static const uint32_t functions[] = {0x1000, 0x1010, 0x1020, 0x1100};
    const uint32_t nt = 0x80;
    const uint32_t oh = nt + 24;               /* optional header after the signature and file header */
    const uint32_t dirOff = Pe64 ? 112 : 96;   /* data directories inside the optional header */
    const uint32_t countOff = Pe64 ? 108 : 92; /* NumberOfRvaAndSizes */
    const uint32_t e = PE_IMAGE_EXPORT_RVA;
    uint32_t nameAt = e + 0x100;

    memset(Image, 0, PE_IMAGE_SIZE);
    PePut16(Image, 0, 0x5A4D);                            /* e_magic */
    PePut32(Image, 0x3C, nt);                             /* e_lfanew */
    PePut32(Image, nt, 0x00004550);                       /* "PE\0\0" */
    PePut16(Image, nt + 4, Pe64 ? 0x8664 : 0x14C);        /* Machine */
    PePut16(Image, nt + 20, (uint16_t)(dirOff + 16 * 8)); /* SizeOfOptionalHeader */
    PePut16(Image, oh, Pe64 ? 0x20B : 0x10B);             /* Magic */
    PePut32(Image, oh + 56, PE_IMAGE_SIZE);               /* SizeOfImage */
    PePut32(Image, oh + countOff, 16);
    PePut32(Image, oh + dirOff, e); /* DataDirectory[EXPORT] */
    PePut32(Image, oh + dirOff + 4, PE_IMAGE_EXPORT_SIZE);

    PePut32(Image, e + 0x14, 4);        /* NumberOfFunctions */
    PePut32(Image, e + 0x18, 5);        /* NumberOfNames */
    PePut32(Image, e + 0x1C, e + 0x40); /* AddressOfFunctions */
    PePut32(Image, e + 0x20, e + 0x60); /* AddressOfNames */
    PePut32(Image, e + 0x24, e + 0x80); /* AddressOfNameOrdinals */
    for (uint32_t i = 0; i < 4; i++)
    {
        PePut32(Image, e + 0x40 + 4 * i, functions[i]);
    }
    for (uint32_t i = 0; i < 5; i++)
    {
        PePut32(Image, e + 0x60 + 4 * i, nameAt);
        PePut16(Image, e + 0x80 + 2 * i, ordinals[i]);
        memcpy(Image + nameAt, names[i], strlen(names[i]) + 1);
        nameAt += (uint32_t)strlen(names[i]) + 1;
    }
}
