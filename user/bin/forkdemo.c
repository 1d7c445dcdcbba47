/*
 * forkdemo - fork and copy-on-write, narrated: a parent and its child share
 * a private page after fork; the child's write gives it its own copy, so
 * the parent's value does not change; a MAP_SHARED page, by contrast, is
 * seen by both. Ends with the child's exit status as waitpid reports it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

int main(void)
{
	int *priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (priv == MAP_FAILED || shared == MAP_FAILED) {
		perror("forkdemo: mmap");
		return 1;
	}
	*priv = 1;
	*shared = 1;
	printf("forkdemo: parent %d: private=%d shared=%d at %p / %p\n", getpid(), *priv, *shared,
	       (void *)priv, (void *)shared);

	pid_t pid = fork();
	if (pid < 0) {
		perror("forkdemo: fork");
		return 1;
	}
	if (pid == 0) {
		printf("forkdemo: child %d sees private=%d shared=%d (inherited)\n", getpid(), *priv, *shared);
		*priv = 2;      /* copy-on-write: the child gets its own page */
		*shared = 2;    /* shared: the parent will see this */
		printf("forkdemo: child %d wrote private=2 shared=2, exits with 42\n", getpid());
		exit(42);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	if (WIFEXITED(status))
		printf("forkdemo: child %d exited with status %d\n", pid, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		printf("forkdemo: child %d was killed by signal %d\n", pid, WTERMSIG(status));
	printf("forkdemo: parent %d now sees private=%d (its own copy) shared=%d (the child's write)\n",
	       getpid(), *priv, *shared);
	return *priv == 1 && *shared == 2 ? 0 : 1;
}
