// SPDX-License-Identifier: MIT
/* Cutting a line into its words, in place. */
#include "basic/split.h"

#include <string.h>

size_t split_words(char *s, char **v, size_t max)
{
	static const char blank[] = " \t\n";
	size_t n = 0;

	for (;;) {
		s += strspn(s, blank);
		if (*s == '\0')
			return n;
		if (n == max)
			return n + 1;
		v[n++] = s;
		s += strcspn(s, blank);
		if (*s != '\0')
			*s++ = '\0';
	}
}
