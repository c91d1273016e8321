import SepKWSCommands

SepKWS.main()
