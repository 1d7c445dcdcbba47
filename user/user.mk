# user/user.mk - building the user library, user programs and the initrd.
# (Filled in by the process issue.)
