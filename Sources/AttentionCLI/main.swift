import Attention
print("attention")
