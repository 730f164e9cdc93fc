#include "pe_exports.h"

#include <string.h>

#include "crc32.h"
#include "reader.h"

/* Export names longer than this are treated as malformed (bounds the validation work). */
#define IG_PE_MAX_NAME_LENGTH 4096u

#define IG_PE_DOS_MAGIC 0x5A4Du
#define IG_PE_NT_SIGNATURE 0x00004550u
#define IG_PE_OPT_MAGIC32 0x10Bu
#define IG_PE_OPT_MAGIC64 0x20Bu

const char *IgPeErrorText(IG_PE_ERROR Error)
{
    static const char *const texts[IgPeErrorCount] = {
        [IgPeOk] = "ok",
        [IgPeHeadersUnreadable] = "headers unreadable",
        [IgPeBadDosHeader] = "no MZ header",
        [IgPeBadNtOffset] = "NT headers outside the first page",
        [IgPeBadNtSignature] = "no PE signature",
        [IgPeBadOptionalHeader] = "bad optional header",
        [IgPeNoExportDirectory] = "no export directory",
        [IgPeBadExportDirectory] = "export directory outside the image or oversized",
        [IgPeDirectoryUnreadable] = "export directory unreadable",
        [IgPeBadArrays] = "export arrays outside the export directory",
        [IgPeBadOrdinal] = "name ordinal beyond NumberOfFunctions",
        [IgPeBadName] = "export name outside the export directory",
        [IgPeNoNames] = "no named exports",
    };

    return (unsigned)Error < IgPeErrorCount ? texts[Error] : "unknown";
}

/* Reads [Gva, Gva + Size) in chunks the guest reader accepts. */
static INTSTATUS IgReadLarge(const IG_GUEST_VMEM *Memory, uint64_t Cr3, uint64_t Gva, uint8_t *Buffer, uint32_t Size)
{
    uint32_t done = 0;

    while (done < Size)
    {
        uint32_t chunk = Size - done < IG_GUEST_READ_MAX ? Size - done : IG_GUEST_READ_MAX;
        size_t got = 0;
        INTSTATUS status = IgGuestVmemRead(Memory, Cr3, Gva + done, Buffer + done, chunk, &got);

        if (!INT_SUCCESS(status))
        {
            return status;
        }
        done += chunk;
    }
    return INT_STATUS_SUCCESS;
}

typedef struct IG_PE_HEADERS
{
    uint32_t SizeOfImage;
    uint32_t ExportRva;
    uint32_t ExportSize;
    bool Pe64;
} IG_PE_HEADERS;

static IG_PE_ERROR IgParseHeaders(const uint8_t *Page, size_t Size, IG_PE_HEADERS *Out)
{
    IG_READER r;
    IG_READER nt;
    uint32_t lfanew;
    uint16_t optSize;
    uint16_t magic;
    uint32_t dirOffset;
    uint32_t countOffset;
    uint32_t rvaCount;

    IgReaderInit(&r, Page, Size);
    if (IgReadU16(&r) != IG_PE_DOS_MAGIC)
    {
        return IgPeBadDosHeader;
    }
    r.Pos = 0x3C;
    lfanew = IgReadU32(&r);
    if (r.Failed || lfanew >= Size)
    {
        return IgPeBadNtOffset;
    }
    nt = IgReaderView(Page + lfanew, Size - lfanew, lfanew);
    if (IgReadU32(&nt) != IG_PE_NT_SIGNATURE || nt.Failed)
    {
        return nt.Failed ? IgPeBadNtOffset : IgPeBadNtSignature;
    }
    IgReadSkip(&nt, 16); /* Machine .. Characteristics up to SizeOfOptionalHeader */
    optSize = IgReadU16(&nt);
    IgReadSkip(&nt, 2);
    magic = IgReadU16(&nt);
    if (nt.Failed)
    {
        return IgPeBadNtOffset;
    }
    if (magic == IG_PE_OPT_MAGIC32)
    {
        countOffset = 92;
        dirOffset = 96;
        Out->Pe64 = false;
    }
    else if (magic == IG_PE_OPT_MAGIC64)
    {
        countOffset = 108;
        dirOffset = 112;
        Out->Pe64 = true;
    }
    else
    {
        return IgPeBadOptionalHeader;
    }
    if (optSize < dirOffset + 8)
    {
        return IgPeBadOptionalHeader;
    }
    /* The optional header starts 24 bytes into the NT headers; nt's cursor is at 24 + 2 now. */
    nt.Pos = 24 + 56;
    Out->SizeOfImage = IgReadU32(&nt);
    nt.Pos = 24 + countOffset;
    rvaCount = IgReadU32(&nt);
    nt.Pos = 24 + dirOffset;
    Out->ExportRva = IgReadU32(&nt);
    Out->ExportSize = IgReadU32(&nt);
    if (nt.Failed)
    {
        return IgPeBadNtOffset;
    }
    if (rvaCount < 1 || Out->ExportRva == 0 || Out->ExportSize == 0)
    {
        return IgPeNoExportDirectory;
    }
    if (Out->ExportSize < IG_PE_EXPORT_DIRECTORY_SIZE || Out->ExportSize > IG_PE_EXPORT_DIR_MAX ||
        (uint64_t)Out->ExportRva + Out->ExportSize > Out->SizeOfImage)
    {
        return IgPeBadExportDirectory;
    }
    return IgPeOk;
}

/* Offset of an array of Count items of Width bytes at Rva inside the directory, or false. */
static bool IgArrayInDirectory(const IG_PE_EXPORTS *E, uint32_t Rva, uint64_t Count, uint32_t Width, uint32_t *Offset)
{
    uint64_t off;

    if (Rva < E->DirectoryRva)
    {
        return false;
    }
    off = (uint64_t)Rva - E->DirectoryRva;
    if (off > E->DirectorySize || Count * Width > E->DirectorySize - off)
    {
        return false;
    }
    *Offset = (uint32_t)off;
    return true;
}

/* The name a name-table entry points at: offset and length inside the directory, or false. */
static bool IgNameAt(const IG_PE_EXPORTS *E, uint32_t NameRva, uint32_t *Offset, uint32_t *Length)
{
    uint32_t off = NameRva - E->DirectoryRva; /* wraps for RVAs below the directory */
    uint32_t limit;
    const uint8_t *nul;

    if (NameRva < E->DirectoryRva || off >= E->DirectorySize)
    {
        return false;
    }
    limit = E->DirectorySize - off;
    if (limit > IG_PE_MAX_NAME_LENGTH + 1)
    {
        limit = IG_PE_MAX_NAME_LENGTH + 1;
    }
    nul = memchr(E->Directory + off, 0, limit);
    if (!nul)
    {
        return false;
    }
    *Offset = off;
    *Length = (uint32_t)(nul - (E->Directory + off));
    return true;
}

static uint32_t IgDirU32(const IG_PE_EXPORTS *E, uint32_t Offset)
{
    return IgLoadLe32(E->Directory + Offset);
}

static uint16_t IgDirU16(const IG_PE_EXPORTS *E, uint32_t Offset)
{
    return IgLoadLe16(E->Directory + Offset);
}

static IG_PE_ERROR IgValidateDirectory(IG_PE_EXPORTS *E)
{
    uint32_t numberOfNames = IgDirU32(E, 0x18);
    uint32_t functions = IgDirU32(E, 0x1C);
    uint32_t names = IgDirU32(E, 0x20);
    uint32_t ordinals = IgDirU32(E, 0x24);

    E->NumberOfFunctions = IgDirU32(E, 0x14);
    E->NameCount = numberOfNames < IG_PE_MAX_NAMES ? numberOfNames : IG_PE_MAX_NAMES;
    if (E->NameCount == 0)
    {
        return IgPeNoNames;
    }
    if (!IgArrayInDirectory(E, ordinals, E->NameCount, 2, &E->OrdinalsOffset) ||
        !IgArrayInDirectory(E, names, E->NameCount, 4, &E->NamesOffset) ||
        !IgArrayInDirectory(E, functions, E->NumberOfFunctions, 4, &E->FunctionsOffset))
    {
        return IgPeBadArrays;
    }
    /* Every name the lookup may use is checked now, so the lookup itself cannot fail. */
    for (uint32_t j = 0; j < E->NameCount; j++)
    {
        uint32_t off;
        uint32_t len;

        if (IgDirU16(E, E->OrdinalsOffset + 2 * j) >= E->NumberOfFunctions)
        {
            return IgPeBadOrdinal;
        }
        if (!IgNameAt(E, IgDirU32(E, E->NamesOffset + 4 * j), &off, &len))
        {
            return IgPeBadName;
        }
    }
    return IgPeOk;
}

INTSTATUS IgPeExportsRead(const IG_GUEST_VMEM *Memory, uint64_t Cr3, uint64_t Base, uint8_t *Scratch,
                          size_t ScratchSize, IG_PE_EXPORTS *Exports, IG_PE_ERROR *Error)
{
    uint8_t page[IG_PE_HEADER_READ];
    IG_PE_HEADERS headers = {0};
    IG_PE_ERROR error = IgPeOk;
    INTSTATUS status = INT_STATUS_SUCCESS;
    uint64_t dirGva;

    if (Exports)
    {
        memset(Exports, 0, sizeof(*Exports));
    }
    if (Error)
    {
        *Error = IgPeOk;
    }
    if (!Memory)
    {
        return INT_STATUS_INVALID_PARAMETER_1;
    }
    if (!Scratch)
    {
        return INT_STATUS_INVALID_PARAMETER_4;
    }
    if (!Exports || !Error)
    {
        return INT_STATUS_INVALID_PARAMETER;
    }

    status = IgGuestVmemRead(Memory, Cr3, Base, page, sizeof(page), NULL);
    if (!INT_SUCCESS(status))
    {
        error = IgPeHeadersUnreadable;
        goto cleanup;
    }
    error = IgParseHeaders(page, sizeof(page), &headers);
    if (error != IgPeOk)
    {
        status = INT_STATUS_NOT_FOUND;
        goto cleanup;
    }
    if (__builtin_add_overflow(Base, headers.ExportRva, &dirGva))
    {
        error = IgPeBadExportDirectory;
        status = INT_STATUS_NOT_FOUND;
        goto cleanup;
    }
    if (headers.ExportSize > ScratchSize)
    {
        /* Only a caller with less than IG_PE_EXPORT_DIR_MAX bytes gets here: the headers cap the size. */
        status = INT_STATUS_DATA_BUFFER_TOO_SMALL;
        goto cleanup;
    }

    Exports->Directory = Scratch;
    Exports->DirectoryRva = headers.ExportRva;
    Exports->DirectorySize = headers.ExportSize;
    Exports->SizeOfImage = headers.SizeOfImage;
    Exports->Pe64 = headers.Pe64;
    status = IgReadLarge(Memory, Cr3, dirGva, Exports->Directory, headers.ExportSize);
    if (!INT_SUCCESS(status))
    {
        error = IgPeDirectoryUnreadable;
        goto cleanup;
    }
    error = IgValidateDirectory(Exports);
    if (error != IgPeOk)
    {
        status = INT_STATUS_NOT_FOUND;
    }

cleanup:
    if (!INT_SUCCESS(status))
    {
        memset(Exports, 0, sizeof(*Exports));
        if (error == IgPeOk && status != INT_STATUS_DATA_BUFFER_TOO_SMALL)
        {
            error = IgPeDirectoryUnreadable;
        }
    }
    *Error = error;
    return status;
}

static uint32_t IgFunctionOfName(const IG_PE_EXPORTS *E, uint32_t J)
{
    uint16_t ordinal = IgDirU16(E, E->OrdinalsOffset + 2 * J);
    return IgDirU32(E, E->FunctionsOffset + 4 * (uint32_t)ordinal);
}

void IgPeFindExport(const IG_PE_EXPORTS *Exports, uint32_t Rva, IG_PE_EXPORT *Export)
{
    uint32_t best = 0;
    bool found = false;

    memset(Export, 0, sizeof(*Export));
    if (!Exports || !Exports->Directory)
    {
        return;
    }
    /* The closest named export at or below Rva, at most IG_PE_EXPORT_LOOKBACK bytes back. */
    for (uint32_t j = 0; j < Exports->NameCount; j++)
    {
        uint32_t fn = IgFunctionOfName(Exports, j);

        if (fn <= Rva && Rva - fn <= IG_PE_EXPORT_LOOKBACK && (!found || fn > best))
        {
            best = fn;
            found = true;
        }
    }
    if (!found)
    {
        return;
    }
    Export->Found = true;
    Export->Rva = best;
    for (uint32_t j = 0; j < Exports->NameCount && Export->NameCount < IG_PE_MAX_ALIASES; j++)
    {
        uint32_t off = 0;
        uint32_t len = 0;

        if (IgFunctionOfName(Exports, j) != best ||
            !IgNameAt(Exports, IgDirU32(Exports, Exports->NamesOffset + 4 * j), &off, &len))
        {
            continue;
        }
        Export->Names[Export->NameCount] = (const char *)Exports->Directory + off;
        Export->NameLengths[Export->NameCount] = (uint16_t)len;
        Export->NameHashes[Export->NameCount] = IgNameHash(Exports->Directory + off, len);
        Export->NameCount++;
    }
}
