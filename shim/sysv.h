/* sysv.h: whether this process may remove the System V segments it
 * makes (the run-time control page, the host table).
 *
 * A seccomp filter that refuses shmctl but allows shmget would leave
 * every segment made here behind for good, one of the machine's SHMMNI
 * ids each; so a process asks first, with IPC_INFO, which touches no
 * segment, and makes none when shmctl is refused. */
#ifndef KAIORETRY_SYSV_H
#define KAIORETRY_SYSV_H

#include <stdbool.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

/* scratch: room for IPC_INFO's answer (a struct shminfo is smaller). */
static inline bool sysv_removal_allowed(struct shmid_ds *scratch)
{
	return syscall(SYS_shmctl, 0, IPC_INFO, scratch) >= 0;
}

#endif
