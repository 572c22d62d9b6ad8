/* SPDX-License-Identifier: Apache-2.0 */
/*
 * propose_cmd.h -- the `cors-check propose` subcommand: options, reading
 * the logs, printing the proposal (the logic is in propose.c).
 */
#ifndef PROPOSE_CMD_H
#define PROPOSE_CMD_H

/* argv[0] is "propose"; returns the exit status: 0, or 2 on a usage or
 * read error. */
int propose_main(int argc, char **argv);

#endif /* PROPOSE_CMD_H */
