/*
 * The guest's memory as the generator builds it: 4 KiB pages by (address space, virtual address).
 * Every page is declared in the trace once (ScGuestEmit); a page may change only until then, so
 * what a trace declares is what every later event sees.
 */
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

void ScGuestInit(SC_GUEST *G)
{
    memset(G, 0, sizeof(*G));
}

void ScGuestFree(SC_GUEST *G)
{
    for (size_t i = 0; i < G->Count; i++)
    {
        free(G->Pages[i]);
    }
    free(G->Pages);
    memset(G, 0, sizeof(*G));
}

static SC_PAGE *ScGuestFind(const SC_GUEST *G, uint64_t Cr3, uint64_t Gva)
{
    for (size_t i = 0; i < G->Count; i++)
    {
        if (G->Pages[i]->Cr3 == Cr3 && G->Pages[i]->Gva == (Gva & SC_PAGE_MASK))
        {
            return G->Pages[i];
        }
    }
    return NULL;
}

SC_PAGE *ScGuestPage(SC_GUEST *G, uint64_t Cr3, uint64_t Gva)
{
    SC_PAGE *p = ScGuestFind(G, Cr3, Gva);

    if (p)
    {
        return p;
    }
    if (G->Count == G->Capacity)
    {
        size_t capacity = G->Capacity ? G->Capacity * 2 : 64;
        SC_PAGE **pages = realloc(G->Pages, capacity * sizeof(*pages));

        if (!pages)
        {
            G->Failed = true;
            return NULL;
        }
        G->Pages = pages;
        G->Capacity = capacity;
    }
    p = calloc(1, sizeof(*p));
    if (!p)
    {
        G->Failed = true;
        return NULL;
    }
    p->Cr3 = Cr3;
    p->Gva = Gva & SC_PAGE_MASK;
    G->Pages[G->Count++] = p;
    return p;
}

/* Copies Size bytes in (Data) or out (Out) of guest memory, page by page; Fill when both are NULL. */
static void ScGuestCopy(SC_GUEST *G, uint64_t Cr3, uint64_t Gva, const uint8_t *Data, uint8_t *Out, uint8_t Fill,
                        size_t Size)
{
    while (Size)
    {
        /* Reading never creates a page: what was never written reads as zeros. */
        SC_PAGE *p = Out ? ScGuestFind(G, Cr3, Gva) : ScGuestPage(G, Cr3, Gva);
        size_t offset = Gva & (SC_PAGE_SIZE - 1);
        size_t chunk = SC_PAGE_SIZE - offset < Size ? SC_PAGE_SIZE - offset : Size;

        if (Out)
        {
            if (p)
            {
                memcpy(Out, p->Bytes + offset, chunk);
            }
            else
            {
                memset(Out, 0, chunk);
            }
            Out += chunk;
        }
        else if (!p)
        {
            return;
        }
        else if (p->Emitted)
        {
            G->Failed = true; /* the trace already declared this page */
            return;
        }
        else if (Data)
        {
            memcpy(p->Bytes + offset, Data, chunk);
            Data += chunk;
        }
        else
        {
            memset(p->Bytes + offset, Fill, chunk);
        }
        Gva += chunk;
        Size -= chunk;
    }
}

void ScGuestWrite(SC_GUEST *G, uint64_t Cr3, uint64_t Gva, const void *Data, size_t Size)
{
    ScGuestCopy(G, Cr3, Gva, Data, NULL, 0, Size);
}

void ScGuestFill(SC_GUEST *G, uint64_t Cr3, uint64_t Gva, uint8_t Value, size_t Size)
{
    ScGuestCopy(G, Cr3, Gva, NULL, NULL, Value, Size);
}

void ScGuestWrite64(SC_GUEST *G, uint64_t Cr3, uint64_t Gva, uint64_t Value)
{
    ScGuestWrite(G, Cr3, Gva, &Value, sizeof(Value)); /* x86 is little-endian, as is the host */
}

void ScGuestRead(SC_GUEST *G, uint64_t Cr3, uint64_t Gva, void *Data, size_t Size)
{
    ScGuestCopy(G, Cr3, Gva, NULL, Data, 0, Size);
}

void ScGuestEmit(SC_GUEST *G, SC_TRACE *T)
{
    for (size_t i = 0; i < G->Count; i++)
    {
        SC_PAGE *p = G->Pages[i];

        if (!p->Emitted)
        {
            ScMemory(T, p->Gva, p->Cr3, p->Bytes, sizeof(p->Bytes));
            p->Emitted = true;
        }
    }
}
