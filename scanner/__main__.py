from scanner.hookpath import main

if __name__ == "__main__":
    main()
