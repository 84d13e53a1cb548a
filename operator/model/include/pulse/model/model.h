// Umbrella header for pulse::model (namespace pulse::model): CR types, parsing,
// loading and validation.
#pragma once

#include "pulse/model/alerts.h"
#include "pulse/model/api_monitor.h"
#include "pulse/model/common_types.h"
#include "pulse/model/duration.h"
#include "pulse/model/error.h"
#include "pulse/model/exporter.h"
#include "pulse/model/loader.h"
#include "pulse/model/object_meta.h"
#include "pulse/model/objects.h"
#include "pulse/model/parse.h"
#include "pulse/model/secret.h"
#include "pulse/model/validate.h"
