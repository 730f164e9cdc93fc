/*
 * Base64 (RFC 4648, standard alphabet, padded) for the tools: alerts travel as base64 text in logs,
 * traces and `replay --alerts` files.
 */
#ifndef INTROGUARD_TOOLS_BASE64_H
#define INTROGUARD_TOOLS_BASE64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tool_common.h"

/*
 * Decodes Length characters of Text into Out (Max bytes), ignoring ASCII white space between
 * groups.  False for a character outside the alphabet, a length not a multiple of 4, padding
 * anywhere but at the end, or more than Max bytes; *BadAt is then the offending character's offset.
 */
bool IgBase64Decode(const char *Text, size_t Length, uint8_t *Out, size_t Max, size_t *Size, size_t *BadAt);

/* Appends Size bytes of Data as base64 (no line breaks). */
void IgBase64Append(IG_TEXT *Out, const void *Data, size_t Size);

/* Whether Length bytes of Text hold only base64 characters and white space (and at least one group). */
bool IgBase64Looks(const char *Text, size_t Length);

#endif /* INTROGUARD_TOOLS_BASE64_H */
