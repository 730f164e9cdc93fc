/*
 * Alerts raised by the protection core (hvmi's event structures, intro_alerts.h).
 */
#ifndef INTROGUARD_PROTECT_ALERTS_H
#define INTROGUARD_PROTECT_ALERTS_H

#include "introguard/intro_alerts.h"
#include "event_int.h"

/*
 * Builds the alert of Violation (decided as Verdict) in Zone for Event and delivers it through
 * NotifyIntrospectionAlert.  Delivery failures are the integrator's: the decision stands.
 */
void IgAlertRaise(const IG_PROTECT_ENV *Env, const IG_EVENT *Event, const IG_PM_ZONE *Zone,
                  const INTRO_EXC_VIOLATION *Violation, const INTRO_EXC_VERDICT *Verdict);

/* An alert's view of a model process (nothing when Process is NULL). */
void IgAlertProcess(const IG_PM_PROCESS *Process, bool Windows, INTRO_PROCESS *Out);

#endif /* INTROGUARD_PROTECT_ALERTS_H */
