/*
 * `introguard alert`: an alert (hvmi's event structures, intro_alerts.h) and its exception blob as
 * readable JSON.  The alert is read field by field at its public offsets: any bytes are printable.
 */
#ifndef INTROGUARD_TOOLS_ALERT_VIEW_H
#define INTROGUARD_TOOLS_ALERT_VIEW_H

#include <json-c/json.h>

#include "alert_rules.h"

/*
 * The whole alert of Type (Size bytes, exactly its structure): header, originator, victim, access,
 * code blocks, and the exception its blob holds (or why it holds none).  Names (may be NULL) gives
 * names for the exception's hashes.  The caller owns the object (json_object_put).
 */
json_object *IgAvAlert(const uint8_t *Alert, size_t Size, uint32_t Type, const IG_ALERT_RULE *Names);

/* The exception a blob holds: kind, names with hashes, object type, flags, signatures. */
json_object *IgAvException(const INTRO_ALERT_EXCEPTION *Exception, const IG_ALERT_RULE *Names);

#endif /* INTROGUARD_TOOLS_ALERT_VIEW_H */
