/* ready_note.c: the thread's note of a held-back connect attempt (see
 * the header).  What the server said is cut to NOTE_SAID_MAX bytes. */
#include "ready_note.h"

#include <string.h>

#define NOTE_SAID_MAX 120

static __thread struct {
	bool held;
	bool changed;
	int fd;
	unsigned char said_len;
	char said[NOTE_SAID_MAX];
} note __attribute__((tls_model("initial-exec")));

void ready_note_held(int fd, const struct text *said)
{
	size_t len = said->len < NOTE_SAID_MAX ? said->len : NOTE_SAID_MAX;
	note.changed = !note.held || len != note.said_len ||
		       memcmp(note.said, said->buf, len) != 0;
	note.held = true;
	note.fd = fd;
	note.said_len = (unsigned char)len;
	memcpy(note.said, said->buf, len);
}

void ready_note_clear(void)
{
	note.changed = note.held;
	note.held = false;
}

bool ready_note_get(int *fd)
{
	*fd = note.fd;
	return note.held;
}

bool ready_note_changed(void)
{
	return note.changed;
}

void ready_note_text(struct text *t)
{
	text_str(t, "not ready: ");
	text_mem(t, note.said, note.said_len);
}
