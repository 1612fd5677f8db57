#!/usr/bin/env python3
import sys
print("total:", sys.argv[1])
