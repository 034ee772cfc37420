import Foundation

/// Request bodies the `openai` Python SDK 1.109.1 (httpx 0.29.0) sent, captured byte for byte from a
/// socket server: `Content-Type` as sent, the body as base64 (76 characters a line). The file parts
/// are 1 KiB of every byte value (CR, LF and `-` included) and its first 64 bytes.
enum OpenAISDKBodies {
    struct Capture: Sendable, CustomStringConvertible {
        var call: String
        var contentType: String
        var base64: String
        /// The `model` the call passed.
        var model: String

        var body: [UInt8] { Array(Data(base64Encoded: base64, options: .ignoreUnknownCharacters)!) }
        var description: String { call }
    }

    static let transcription = Capture(
        call: #"client.audio.transcriptions.create(model="whisper-1", file=("speech.wav", audio, "audio/wav"))"#,
        contentType: "multipart/form-data; boundary=2e5ca1d9ecf9cff6ecb5c8ca20a5721b",
        base64: """
            LS0yZTVjYTFkOWVjZjljZmY2ZWNiNWM4Y2EyMGE1NzIxYg0KQ29udGVudC1EaXNwb3NpdGlvbjog
            Zm9ybS1kYXRhOyBuYW1lPSJtb2RlbCINCg0Kd2hpc3Blci0xDQotLTJlNWNhMWQ5ZWNmOWNmZjZl
            Y2I1YzhjYTIwYTU3MjFiDQpDb250ZW50LURpc3Bvc2l0aW9uOiBmb3JtLWRhdGE7IG5hbWU9ImZp
            bGUiOyBmaWxlbmFtZT0ic3BlZWNoLndhdiINCkNvbnRlbnQtVHlwZTogYXVkaW8vd2F2DQoNCgAB
            AgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6
            Ozw9Pj9AQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVpbXF1eX2BhYmNkZWZnaGlqa2xtbm9wcXJz
            dHV2d3h5ent8fX5/gIGCg4SFhoeIiYqLjI2Oj5CRkpOUlZaXmJmam5ydnp+goaKjpKWmp6ipqqus
            ra6vsLGys7S1tre4ubq7vL2+v8DBwsPExcbHyMnKy8zNzs/Q0dLT1NXW19jZ2tvc3d7f4OHi4+Tl
            5ufo6err7O3u7/Dx8vP09fb3+Pn6+/z9/v8AAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e
            HyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4/QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZX
            WFlaW1xdXl9gYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoOEhYaHiImKi4yNjo+Q
            kZKTlJWWl5iZmpucnZ6foKGio6SlpqeoqaqrrK2ur7CxsrO0tba3uLm6u7y9vr/AwcLDxMXGx8jJ
            ysvMzc7P0NHS09TV1tfY2drb3N3e3+Dh4uPk5ebn6Onq6+zt7u/w8fLz9PX29/j5+vv8/f7/AAEC
            AwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7
            PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0
            dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6yt
            rq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm
            5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/wABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f
            ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj9AQUJDREVGR0hJSktMTU5PUFFSU1RVVldY
            WVpbXF1eX2BhYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ent8fX5/gIGCg4SFhoeIiYqLjI2Oj5CR
            kpOUlZaXmJmam5ydnp+goaKjpKWmp6ipqqusra6vsLGys7S1tre4ubq7vL2+v8DBwsPExcbHyMnK
            y8zNzs/Q0dLT1NXW19jZ2tvc3d7f4OHi4+Tl5ufo6err7O3u7/Dx8vP09fb3+Pn6+/z9/v8NCi0t
            MmU1Y2ExZDllY2Y5Y2ZmNmVjYjVjOGNhMjBhNTcyMWItLQ0K
            """,
        model: "whisper-1"
    )

    static let transcriptionOptions = Capture(
        call:
            #"client.audio.transcriptions.create(model="whisper-1", file=..., language="en", response_format="verbose_json", temperature=0.2, timestamp_granularities=["word", "segment"], prompt="Hello")"#,
        contentType: "multipart/form-data; boundary=535a57193d5adc12a2358b8e86dd1d7b",
        base64: """
            LS01MzVhNTcxOTNkNWFkYzEyYTIzNThiOGU4NmRkMWQ3Yg0KQ29udGVudC1EaXNwb3NpdGlvbjog
            Zm9ybS1kYXRhOyBuYW1lPSJtb2RlbCINCg0Kd2hpc3Blci0xDQotLTUzNWE1NzE5M2Q1YWRjMTJh
            MjM1OGI4ZTg2ZGQxZDdiDQpDb250ZW50LURpc3Bvc2l0aW9uOiBmb3JtLWRhdGE7IG5hbWU9Imxh
            bmd1YWdlIg0KDQplbg0KLS01MzVhNTcxOTNkNWFkYzEyYTIzNThiOGU4NmRkMWQ3Yg0KQ29udGVu
            dC1EaXNwb3NpdGlvbjogZm9ybS1kYXRhOyBuYW1lPSJwcm9tcHQiDQoNCkhlbGxvDQotLTUzNWE1
            NzE5M2Q1YWRjMTJhMjM1OGI4ZTg2ZGQxZDdiDQpDb250ZW50LURpc3Bvc2l0aW9uOiBmb3JtLWRh
            dGE7IG5hbWU9InJlc3BvbnNlX2Zvcm1hdCINCg0KdmVyYm9zZV9qc29uDQotLTUzNWE1NzE5M2Q1
            YWRjMTJhMjM1OGI4ZTg2ZGQxZDdiDQpDb250ZW50LURpc3Bvc2l0aW9uOiBmb3JtLWRhdGE7IG5h
            bWU9InRlbXBlcmF0dXJlIg0KDQowLjINCi0tNTM1YTU3MTkzZDVhZGMxMmEyMzU4YjhlODZkZDFk
            N2INCkNvbnRlbnQtRGlzcG9zaXRpb246IGZvcm0tZGF0YTsgbmFtZT0idGltZXN0YW1wX2dyYW51
            bGFyaXRpZXNbXSINCg0Kd29yZA0KLS01MzVhNTcxOTNkNWFkYzEyYTIzNThiOGU4NmRkMWQ3Yg0K
            Q29udGVudC1EaXNwb3NpdGlvbjogZm9ybS1kYXRhOyBuYW1lPSJ0aW1lc3RhbXBfZ3JhbnVsYXJp
            dGllc1tdIg0KDQpzZWdtZW50DQotLTUzNWE1NzE5M2Q1YWRjMTJhMjM1OGI4ZTg2ZGQxZDdiDQpD
            b250ZW50LURpc3Bvc2l0aW9uOiBmb3JtLWRhdGE7IG5hbWU9ImZpbGUiOyBmaWxlbmFtZT0ic3Bl
            ZWNoLndhdiINCkNvbnRlbnQtVHlwZTogYXVkaW8vd2F2DQoNCgABAgMEBQYHCAkKCwwNDg8QERIT
            FBUWFxgZGhscHR4fICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj9AQUJDREVGR0hJSktM
            TU5PUFFSU1RVVldYWVpbXF1eX2BhYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ent8fX5/gIGCg4SF
            hoeIiYqLjI2Oj5CRkpOUlZaXmJmam5ydnp+goaKjpKWmp6ipqqusra6vsLGys7S1tre4ubq7vL2+
            v8DBwsPExcbHyMnKy8zNzs/Q0dLT1NXW19jZ2tvc3d7f4OHi4+Tl5ufo6err7O3u7/Dx8vP09fb3
            +Pn6+/z9/v8AAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8w
            MTIzNDU2Nzg5Ojs8PT4/QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl9gYWJjZGVmZ2hp
            amtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoOEhYaHiImKi4yNjo+QkZKTlJWWl5iZmpucnZ6foKGi
            o6SlpqeoqaqrrK2ur7CxsrO0tba3uLm6u7y9vr/AwcLDxMXGx8jJysvMzc7P0NHS09TV1tfY2drb
            3N3e3+Dh4uPk5ebn6Onq6+zt7u/w8fLz9PX29/j5+vv8/f7/AAECAwQFBgcICQoLDA0ODxAREhMU
            FRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xN
            Tk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWG
            h4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/
            wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4
            +fr7/P3+/wABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQlJicoKSorLC0uLzAx
            MjM0NTY3ODk6Ozw9Pj9AQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVpbXF1eX2BhYmNkZWZnaGlq
            a2xtbm9wcXJzdHV2d3h5ent8fX5/gIGCg4SFhoeIiYqLjI2Oj5CRkpOUlZaXmJmam5ydnp+goaKj
            pKWmp6ipqqusra6vsLGys7S1tre4ubq7vL2+v8DBwsPExcbHyMnKy8zNzs/Q0dLT1NXW19jZ2tvc
            3d7f4OHi4+Tl5ufo6err7O3u7/Dx8vP09fb3+Pn6+/z9/v8NCi0tNTM1YTU3MTkzZDVhZGMxMmEy
            MzU4YjhlODZkZDFkN2ItLQ0K
            """,
        model: "whisper-1"
    )

    static let translation = Capture(
        call: #"client.audio.translations.create(model="whisper-1", file=("speech.mp3", audio, "audio/mpeg"))"#,
        contentType: "multipart/form-data; boundary=dad2be94fbf51cd0504c7fef9b7952a3",
        base64: """
            LS1kYWQyYmU5NGZiZjUxY2QwNTA0YzdmZWY5Yjc5NTJhMw0KQ29udGVudC1EaXNwb3NpdGlvbjog
            Zm9ybS1kYXRhOyBuYW1lPSJtb2RlbCINCg0Kd2hpc3Blci0xDQotLWRhZDJiZTk0ZmJmNTFjZDA1
            MDRjN2ZlZjliNzk1MmEzDQpDb250ZW50LURpc3Bvc2l0aW9uOiBmb3JtLWRhdGE7IG5hbWU9ImZp
            bGUiOyBmaWxlbmFtZT0ic3BlZWNoLm1wMyINCkNvbnRlbnQtVHlwZTogYXVkaW8vbXBlZw0KDQoA
            AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5
            Ojs8PT4/QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl9gYWJjZGVmZ2hpamtsbW5vcHFy
            c3R1dnd4eXp7fH1+f4CBgoOEhYaHiImKi4yNjo+QkZKTlJWWl5iZmpucnZ6foKGio6Slpqeoqaqr
            rK2ur7CxsrO0tba3uLm6u7y9vr/AwcLDxMXGx8jJysvMzc7P0NHS09TV1tfY2drb3N3e3+Dh4uPk
            5ebn6Onq6+zt7u/w8fLz9PX29/j5+vv8/f7/AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd
            Hh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVW
            V1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6P
            kJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfI
            ycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/wAB
            AgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6
            Ozw9Pj9AQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVpbXF1eX2BhYmNkZWZnaGlqa2xtbm9wcXJz
            dHV2d3h5ent8fX5/gIGCg4SFhoeIiYqLjI2Oj5CRkpOUlZaXmJmam5ydnp+goaKjpKWmp6ipqqus
            ra6vsLGys7S1tre4ubq7vL2+v8DBwsPExcbHyMnKy8zNzs/Q0dLT1NXW19jZ2tvc3d7f4OHi4+Tl
            5ufo6err7O3u7/Dx8vP09fb3+Pn6+/z9/v8AAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e
            HyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4/QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZX
            WFlaW1xdXl9gYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoOEhYaHiImKi4yNjo+Q
            kZKTlJWWl5iZmpucnZ6foKGio6SlpqeoqaqrrK2ur7CxsrO0tba3uLm6u7y9vr/AwcLDxMXGx8jJ
            ysvMzc7P0NHS09TV1tfY2drb3N3e3+Dh4uPk5ebn6Onq6+zt7u/w8fLz9PX29/j5+vv8/f7/DQot
            LWRhZDJiZTk0ZmJmNTFjZDA1MDRjN2ZlZjliNzk1MmEzLS0NCg==
            """,
        model: "whisper-1"
    )

    static let imageEdit = Capture(
        call:
            #"client.images.edit(model="gpt-image-1", image=[a.png, b.png], prompt="Add a hat", n=1, size="1024x1024")"#,
        contentType: "multipart/form-data; boundary=5d92eb97f3eb823cbf4f550213513892",
        base64: """
            LS01ZDkyZWI5N2YzZWI4MjNjYmY0ZjU1MDIxMzUxMzg5Mg0KQ29udGVudC1EaXNwb3NpdGlvbjog
            Zm9ybS1kYXRhOyBuYW1lPSJwcm9tcHQiDQoNCkFkZCBhIGhhdA0KLS01ZDkyZWI5N2YzZWI4MjNj
            YmY0ZjU1MDIxMzUxMzg5Mg0KQ29udGVudC1EaXNwb3NpdGlvbjogZm9ybS1kYXRhOyBuYW1lPSJt
            b2RlbCINCg0KZ3B0LWltYWdlLTENCi0tNWQ5MmViOTdmM2ViODIzY2JmNGY1NTAyMTM1MTM4OTIN
            CkNvbnRlbnQtRGlzcG9zaXRpb246IGZvcm0tZGF0YTsgbmFtZT0ibiINCg0KMQ0KLS01ZDkyZWI5
            N2YzZWI4MjNjYmY0ZjU1MDIxMzUxMzg5Mg0KQ29udGVudC1EaXNwb3NpdGlvbjogZm9ybS1kYXRh
            OyBuYW1lPSJzaXplIg0KDQoxMDI0eDEwMjQNCi0tNWQ5MmViOTdmM2ViODIzY2JmNGY1NTAyMTM1
            MTM4OTINCkNvbnRlbnQtRGlzcG9zaXRpb246IGZvcm0tZGF0YTsgbmFtZT0iaW1hZ2VbXSI7IGZp
            bGVuYW1lPSJhLnBuZyINCkNvbnRlbnQtVHlwZTogaW1hZ2UvcG5nDQoNCgABAgMEBQYHCAkKCwwN
            Dg8QERITFBUWFxgZGhscHR4fICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8NCi0tNWQ5
            MmViOTdmM2ViODIzY2JmNGY1NTAyMTM1MTM4OTINCkNvbnRlbnQtRGlzcG9zaXRpb246IGZvcm0t
            ZGF0YTsgbmFtZT0iaW1hZ2VbXSI7IGZpbGVuYW1lPSJiLnBuZyINCkNvbnRlbnQtVHlwZTogaW1h
            Z2UvcG5nDQoNCgABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQlJicoKSorLC0u
            LzAxMjM0NTY3ODk6Ozw9Pj8NCi0tNWQ5MmViOTdmM2ViODIzY2JmNGY1NTAyMTM1MTM4OTItLQ0K
            """,
        model: "gpt-image-1"
    )

    static let all = [transcription, transcriptionOptions, translation, imageEdit]
}
