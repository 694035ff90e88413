import os
import sys
import hello

print(sys.argv)
print(hello.sleep(float(os.environ.get('HELLO_SLEEP', '0.2'))))
