print("fake-model-server: being written")
