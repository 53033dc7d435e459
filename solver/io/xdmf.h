/* solver/io/xdmf.h - make a result file readable by viewers: HDF5 dimension
 * scales on every field dataset (h5py, xarray see the axes), and an XDMF
 * sidecar FILE.xmf beside FILE.h5 that ParaView and VisIt open, both found
 * from the file's grid description (fields.h). */
#ifndef PINN_XDMF_H
#define PINN_XDMF_H

#include <stddef.h>

#include "io/h5io.h"

/* Attaches /grid/<axis> as the dimension scale of each dimension of every
 * field in the file being written; before h5out_commit. 0 or -1. */
int xdmf_scales_attach(h5out *f, char *err, size_t errcap);

/* The sidecar's path for h5path: NAME.xmf for NAME.h5, else h5path.xmf. */
void xdmf_sidecar_path(const char *h5path, char *buf, size_t cap);

/* Writes the sidecar of the committed file h5path, atomically (temporary,
 * fsync, rename). It names the HDF5 file without a directory, so the two
 * move together. 0, or -1 with the reason in err. */
int xdmf_write(const char *h5path, char *err, size_t errcap);

#endif
