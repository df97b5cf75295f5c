def test_home_renders_in_chinese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "议事厅" in response.get_data(as_text=True)
