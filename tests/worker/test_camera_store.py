from sqlalchemy.orm import Session, sessionmaker

from shopguard.config import parse_config
from shopguard.service.camera_store import load_cameras, save_camera, seed_cameras

CONFIG = parse_config(
    {
        "cameras": [
            {
                "id": "aisle-3",
                "name": "Aisle 3",
                "url": "rtsp://10.0.0.7/stream1",
                "analysis_fps": 4,
                "motion": {"min_area": 0.01},
                "zones": [
                    {"name": "shelf-a", "kind": "shelf", "polygon": [[0, 0], [100, 0], [100, 50]]},
                    {"name": "door", "kind": "exit", "polygon": [[5, 5], [9, 5], [9, 9], [5, 9]]},
                ],
            },
            {"id": "till", "url": "webcam:0", "enabled": False},
        ]
    }
)


def test_round_trip_keeps_every_field(db_sessions: sessionmaker[Session]) -> None:
    with db_sessions.begin() as session:
        assert seed_cameras(session, CONFIG.cameras) == ["aisle-3", "till"]
    with db_sessions() as session:
        assert load_cameras(session) == CONFIG.cameras


def test_seeding_keeps_edits_made_in_the_database(db_sessions: sessionmaker[Session]) -> None:
    with db_sessions.begin() as session:
        seed_cameras(session, CONFIG.cameras)
    edited = CONFIG.cameras[0].model_copy(update={"analysis_fps": 2.0, "zones": []})
    with db_sessions.begin() as session:
        save_camera(session, edited)
    with db_sessions.begin() as session:
        assert seed_cameras(session, CONFIG.cameras) == []
    with db_sessions() as session:
        assert load_cameras(session)[0] == edited
