/* placeholder: being written (issue 5) */
#include "config.h"
#include "hub/notice.h"
