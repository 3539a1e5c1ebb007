// Only what Swift cannot import from mpi.h: handle macros, exposed as tiny functions.
#pragma once
#include <mpi.h>

typedef struct { float value; int index; } ls_float_int;
typedef struct { double value; int index; } ls_double_int;

static inline MPI_Comm ls_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Comm ls_mpi_comm_self(void) { return MPI_COMM_SELF; }
static inline MPI_Comm ls_mpi_comm_null(void) { return MPI_COMM_NULL; }
static inline MPI_Datatype ls_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype ls_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype ls_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype ls_mpi_int32(void) { return MPI_INT; }
static inline MPI_Datatype ls_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype ls_mpi_float_int(void) { return MPI_FLOAT_INT; }
static inline MPI_Datatype ls_mpi_double_int(void) { return MPI_DOUBLE_INT; }
static inline MPI_Op ls_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op ls_mpi_max(void) { return MPI_MAX; }
static inline MPI_Op ls_mpi_min(void) { return MPI_MIN; }
static inline MPI_Op ls_mpi_minloc(void) { return MPI_MINLOC; }
static inline MPI_Op ls_mpi_maxloc(void) { return MPI_MAXLOC; }
static inline void *ls_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Info ls_mpi_info_null(void) { return MPI_INFO_NULL; }
static inline MPI_Errhandler ls_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline int ls_mpi_undefined(void) { return MPI_UNDEFINED; }
static inline int ls_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
static inline MPI_Win ls_mpi_win_null(void) { return MPI_WIN_NULL; }
static inline MPI_Op ls_mpi_no_op(void) { return MPI_NO_OP; }
static inline int ls_mpi_mode_nocheck(void) { return MPI_MODE_NOCHECK; }
static inline MPI_Status *ls_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline int ls_mpi_any_source(void) { return MPI_ANY_SOURCE; }
static inline int ls_mpi_any_tag(void) { return MPI_ANY_TAG; }
