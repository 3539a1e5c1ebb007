import Comm
print("latentsim")
