/*
 * DLL-shaped test images: MZ at 0, NT headers at 0x80, an export directory at PE_IMAGE_EXPORT_RVA
 * (PE_IMAGE_EXPORT_SIZE bytes) with four functions (RVAs 0x1000, 0x1010, 0x1020, 0x1100) and five
 * names: NtClose, NtCreateKey, NtOpenKey, ZwCreateKey (an alias of NtCreateKey), LateFn.  The
 * layout follows the PE/COFF specification; offsets are spelled out in pe_image.c.
 */
#ifndef INTROGUARD_TEST_PE_IMAGE_H
#define INTROGUARD_TEST_PE_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#define PE_IMAGE_SIZE 0x4000u
#define PE_IMAGE_EXPORT_RVA 0x2000u
#define PE_IMAGE_EXPORT_SIZE 0x400u

void PeImageBuild(uint8_t Image[PE_IMAGE_SIZE], bool Pe64);
void PePut16(uint8_t *Image, uint32_t Offset, uint16_t Value);
void PePut32(uint8_t *Image, uint32_t Offset, uint32_t Value);

#endif
