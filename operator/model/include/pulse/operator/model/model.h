// Umbrella header for pulse::operator_model (namespace pulse::model): CR types, parsing,
// loading and validation.
#pragma once

#include "pulse/operator/model/api_monitor.h"
#include "pulse/operator/model/common_types.h"
#include "pulse/operator/model/duration.h"
#include "pulse/operator/model/error.h"
#include "pulse/operator/model/exporter.h"
#include "pulse/operator/model/loader.h"
#include "pulse/operator/model/object_meta.h"
#include "pulse/operator/model/objects.h"
#include "pulse/operator/model/parse.h"
#include "pulse/operator/model/secret.h"
#include "pulse/operator/model/validate.h"
