# testshell.sh: testshell runs this through sh and compares what it
# prints with testshell.key, byte for byte.

echo hello world
echo -n "no newline, "   # a comment after a command
echo then   one   newline
echo "quoted   blanks" kept
echo first; echo second ; ; echo third
#echo this is a comment, not a command

echo one > /tsh-out
cat /tsh-out
cat < /tsh-out
echo one two three | cat
echo piped through | cat | cat | num
cat < /tsh-out | num
num /tsh-out /tsh-out
ls -d /tsh-out
ls -l -d /tsh-out
ls -F -d / /tsh-out
echo the end
