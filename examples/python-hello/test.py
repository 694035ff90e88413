import os
import sys
import hello

# The seed sleeps 3 s: HELLO_SLEEP=3 prints exactly what it printed.
n = os.environ.get('HELLO_SLEEP', '0.2')
print(sys.argv)
print(hello.sleep(float(n) if '.' in n else int(n)))
