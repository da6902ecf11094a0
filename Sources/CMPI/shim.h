// CMPI: exposes the MPI C interface (Open MPI's <mpi.h>) to Swift. No Swift API of its own.
//
// Open MPI defines its handles as macros over addresses of global objects
// (`#define MPI_COMM_WORLD OMPI_PREDEFINED_GLOBAL(MPI_Comm, ompi_mpi_comm_world)`), which the
// Swift importer cannot turn into values. Each accessor below returns one such handle; they are
// `static inline`, so they cost nothing and need no library of their own.
#ifndef SWIFTMLP_CMPI_SHIM_H
#define SWIFTMLP_CMPI_SHIM_H
#include <mpi.h>

static inline MPI_Comm swiftmlp_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype swiftmlp_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype swiftmlp_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Op swiftmlp_mpi_sum(void) { return MPI_SUM; }
static inline void *swiftmlp_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Errhandler swiftmlp_mpi_errors_are_fatal(void) { return MPI_ERRORS_ARE_FATAL; }
static inline int swiftmlp_mpi_success(void) { return MPI_SUCCESS; }
static inline int swiftmlp_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
static inline MPI_Request swiftmlp_mpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline MPI_Status *swiftmlp_mpi_statuses_ignore(void) { return MPI_STATUSES_IGNORE; }

#endif
