/* solver/config/settings.h - the table of run settings shared by every problem
 * type (problem types add their own problem.* tables). */
#ifndef PINN_SETTINGS_H
#define PINN_SETTINGS_H
#include "config/config.h"

extern const setting_spec run_settings[];

#endif
